import {
  ErrorCode,
  TouchpointError,
  bundleDownload,
  bundleListResponse,
  bundleRequestBody,
  bundleSummary,
  type BundleSummary,
} from '@touchpoint/protocol';
import type { BundleRecord } from '../../fleet/bundles.js';
import type { ApiDeps } from '../context.js';
import { route, type Route } from '../router.js';

function found(deps: ApiDeps, id: string) {
  const c = deps.fleet.cases.get(id);
  if (!c) throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${id} does not exist`);
  return c;
}

function view(b: BundleRecord, names: Map<string, string>): BundleSummary {
  const { requestedBy, ...rest } = b;
  return { ...rest, requestedBy: { id: requestedBy, displayName: names.get(requestedBy) ?? requestedBy } };
}

/** Support bundles on a case (issue 17; docs/console.md#support-bundles). */
export const bundleRoutes: Route[] = [
  route({
    method: 'POST',
    path: '/api/cases/:id/bundles',
    role: 'agent',
    action: 'bundle.request',
    body: bundleRequestBody,
    response: bundleSummary,
    status: 201,
    handle: async ({ params, body, auth }, deps) => {
      const c = found(deps, params.id!);
      // The fleet records the request in the audit log (bundle.request) before it publishes it.
      const b = await deps.fleet.bundles.request(c, auth.staff, body);
      return view(b, deps.fleet.staff.displayNames());
    },
  }),
  route({
    method: 'GET',
    path: '/api/cases/:id/bundles',
    role: 'viewer',
    action: 'bundle.list',
    response: bundleListResponse,
    handle: ({ params }, deps) => {
      found(deps, params.id!);
      const names = deps.fleet.staff.displayNames();
      return { items: deps.fleet.bundles.list(params.id!).map((b) => view(b, names)) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/cases/:id/bundles/:bundleId',
    role: 'viewer',
    action: 'bundle.download',
    response: bundleDownload,
    handle: async ({ params, auth, res }, deps) => {
      const c = found(deps, params.id!);
      const { record, consentAt, bundle } = deps.fleet.bundles.content(c.id, params.bundleId!);
      // Reading a bundle is an access to the device's data (DESIGN.md §3.5).
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'bundle.download',
        deviceId: c.deviceId,
        target: c.id,
        outcome: 'ok',
        detail: { bundleId: record.id },
      });
      res.setHeader('content-disposition', `attachment; filename="bundle-${c.id}-${record.id}.json"`);
      return { ...view(record, deps.fleet.staff.displayNames()), consentAt, bundle };
    },
  }),
];
