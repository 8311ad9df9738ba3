import { ErrorCode, TouchpointError, fixListResponse, fixReport, startFixBody } from '@touchpoint/protocol';
import type { ApiDeps } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import type { FleetFixes } from './fleet-fixes.js';

const service = (deps: ApiDeps): FleetFixes => deps.fleet.fleetFixes;

/**
 * Fleet-wide fixes (issue 18; docs/help-lifecycle.md#fleet-wide-fixes): every staff member reads the
 * reports; agents start and abort them (the action's own role still applies: help.install needs an admin).
 * The service audits each start, stop and refusal (`fleetfix.*`).
 */
export const fleetFixRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/fleet-fixes',
    role: 'viewer',
    action: 'fleetfix.list',
    response: fixListResponse,
    handle: async (_input, deps) => ({ items: await service(deps).list() }),
  }),
  route({
    method: 'POST',
    path: '/api/fleet-fixes',
    role: 'agent',
    action: 'fleetfix.start',
    body: startFixBody,
    response: fixReport,
    status: 201,
    handle: ({ body, auth }, deps) => service(deps).start(body, auth.staff),
  }),
  route({
    method: 'GET',
    path: '/api/fleet-fixes/:id',
    role: 'viewer',
    action: 'fleetfix.view',
    response: fixReport,
    handle: async ({ params }, deps) => {
      const report = await service(deps).report(params.id!);
      if (!report) throw new TouchpointError(ErrorCode.NOT_FOUND, `fleet fix ${params.id!} does not exist`);
      return report;
    },
  }),
  route({
    method: 'POST',
    path: '/api/fleet-fixes/:id/abort',
    role: 'agent',
    action: 'fleetfix.abort',
    response: fixReport,
    handle: ({ params, auth }, deps) => service(deps).abort(params.id!, auth.staff),
  }),
];
