import {
  ErrorCode,
  TouchpointError,
  deviceDetail,
  deviceListQuery,
  deviceListResponse,
  diagnosticsHistoryQuery,
  diagnosticsHistoryResponse,
  helpSessionQuery,
  helpSessionResponse,
  profileListResponse,
  provisionRequest,
  provisionResponse,
  timelineQuery,
  timelineResponse,
} from '@touchpoint/protocol';
import type { ApiDeps } from '../context.js';
import { route, type Route } from '../router.js';
import { deviceSummary, profileView } from './views.js';

async function device(deps: ApiDeps, id: string) {
  const row = await deps.fleet.devices.get(id);
  if (!row) throw new TouchpointError(ErrorCode.NOT_FOUND, `device ${id} does not exist`);
  return row;
}

export const deviceRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/devices',
    role: 'viewer',
    action: 'device.list',
    query: deviceListQuery,
    response: deviceListResponse,
    handle: async ({ query }, deps) => {
      const page = await deps.fleet.devices.list(query);
      const open = deps.views.openCaseCounts(page.items.map((d) => d.id));
      return {
        items: page.items.map((d) => deviceSummary(d, open.get(d.id) ?? 0, deps.fleet.profiles.get(d.model))),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  }),
  route({
    method: 'POST',
    path: '/api/devices',
    role: 'admin',
    action: 'device.provision',
    body: provisionRequest,
    response: provisionResponse,
    status: 201,
    handle: async ({ body, auth }, deps) => {
      if (!deps.fleet.profiles.has(body.model))
        throw new TouchpointError(ErrorCode.NOT_FOUND, `no device profile for model ${body.model}`);
      const created = await deps.fleet.provisionDevice(body.deviceId, body.model, body.tags);
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'device.provision',
        deviceId: body.deviceId,
        outcome: 'ok',
        detail: { model: body.model, tags: body.tags },
      });
      return created;
    },
  }),
  route({
    method: 'GET',
    path: '/api/profiles',
    role: 'viewer',
    action: 'profile.list',
    response: profileListResponse,
    handle: (_input, deps) => ({ items: [...deps.fleet.profiles.values()].map(profileView) }),
  }),
  route({
    method: 'GET',
    path: '/api/devices/:id',
    role: 'viewer',
    action: 'device.view',
    auditAccess: true,
    response: deviceDetail,
    handle: async ({ params }, deps) => {
      const row = await device(deps, params.id!);
      const profile = deps.fleet.profiles.get(row.model);
      return {
        device: deviceSummary(row, deps.views.openCaseCounts([row.id]).get(row.id) ?? 0, profile),
        createdAt: row.createdAt,
        latestDiagnostics: deps.views.latestDiagnostics(row.id),
        profile: profile ? profileView(profile) : null,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/devices/:id/diagnostics',
    role: 'viewer',
    action: 'device.diagnostics',
    auditAccess: true,
    query: diagnosticsHistoryQuery,
    response: diagnosticsHistoryResponse,
    handle: async ({ params, query }, deps) => ({
      items: deps.views.diagnosticsHistory((await device(deps, params.id!)).id, query),
    }),
  }),
  route({
    method: 'GET',
    path: '/api/devices/:id/timeline',
    role: 'viewer',
    action: 'device.timeline',
    auditAccess: true,
    query: timelineQuery,
    response: timelineResponse,
    handle: async ({ params, query }, deps) => deps.views.timeline((await device(deps, params.id!)).id, query),
  }),
  route({
    method: 'GET',
    path: '/api/devices/:id/session',
    role: 'viewer',
    action: 'device.session',
    auditAccess: true,
    query: helpSessionQuery,
    response: helpSessionResponse,
    handle: async ({ params, query }, deps) => {
      const id = (await device(deps, params.id!)).id;
      const recent = deps.views.helpSessions(id, 10);
      const session = query.sessionId ? deps.views.helpSession(id, query.sessionId) : recent[0];
      if (query.sessionId && !session)
        throw new TouchpointError(ErrorCode.NOT_FOUND, `help session ${query.sessionId} does not exist on ${id}`);
      return { session: session ?? null, trace: session ? deps.views.helpTrace(id, session.id) : [], recent };
    },
  }),
];
