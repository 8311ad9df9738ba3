import { healthResponse } from '@touchpoint/protocol';
import { route, type Route } from '../router.js';

/**
 * GET /api/health: the broker's counters, for admins only. The unauthenticated
 * /healthz says only that the broker is up (issue 12, Low: it exposed the
 * counters, which tell an outsider about traffic, refusals and failed logins).
 */
export const healthRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/health',
    role: 'admin',
    action: 'broker.health',
    response: healthResponse,
    handle: (_input, deps) => ({ ok: true as const, counters: deps.counters.snapshot() }),
  }),
];
