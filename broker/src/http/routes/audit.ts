import { auditQuery, auditResponse } from '@touchpoint/protocol';
import { route, type Route } from '../router.js';

export const auditRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/audit',
    role: 'viewer',
    action: 'audit.list',
    query: auditQuery,
    response: auditResponse,
    handle: ({ query }, deps) => {
      const rows = deps.fleet.audit.list({
        deviceId: query.deviceId,
        action: query.action,
        before: query.before ? Number(query.before) : undefined,
        limit: query.limit + 1,
      });
      const names = deps.fleet.staff.displayNames();
      const items = rows.slice(0, query.limit).map((r) => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        actorName: names.get(r.actor) ?? null,
        actorRole: r.actorRole ?? null,
        action: r.action,
        deviceId: r.deviceId ?? null,
        target: r.target ?? null,
        outcome: r.outcome,
        detail: r.detail,
      }));
      const last = items.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? String(last.id) : null };
    },
  }),
];
