import {
  ErrorCode,
  TouchpointError,
  createRolloutBody,
  rolloutListResponse,
  rolloutView,
  type RolloutViewBody,
} from '@touchpoint/protocol';
import type { ApiDeps } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import type { Rollouts } from './rollouts.js';

function found(v: RolloutViewBody | undefined, id: string): RolloutViewBody {
  if (!v) throw new TouchpointError(ErrorCode.NOT_FOUND, `rollout ${id} does not exist`);
  return v;
}

const service = (deps: ApiDeps): Rollouts => deps.fleet.rollouts;

/**
 * Staged rollouts (issue 18; docs/help-lifecycle.md#staged-rollouts): every staff member sees them, admins
 * start, pause, resume and abort them. The service audits each change (`rollout.*`) and each refusal.
 */
export const rolloutRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/rollouts',
    role: 'viewer',
    action: 'rollout.list',
    response: rolloutListResponse,
    handle: async (_input, deps) => ({ items: await service(deps).list() }),
  }),
  route({
    method: 'POST',
    path: '/api/rollouts',
    role: 'admin',
    action: 'rollout.create',
    body: createRolloutBody,
    response: rolloutView,
    status: 201,
    handle: ({ body, auth }, deps) => service(deps).create(body, auth.staff),
  }),
  route({
    method: 'GET',
    path: '/api/rollouts/:id',
    role: 'viewer',
    action: 'rollout.view',
    response: rolloutView,
    handle: async ({ params }, deps) => found(await service(deps).view(params.id!), params.id!),
  }),
  ...(['pause', 'resume', 'abort'] as const).map((verb) =>
    route({
      method: 'POST',
      path: `/api/rollouts/:id/${verb}`,
      role: 'admin',
      action: `rollout.${verb}`,
      response: rolloutView,
      handle: ({ params, auth }, deps) => service(deps)[verb](params.id!, auth.staff),
    }),
  ),
];
