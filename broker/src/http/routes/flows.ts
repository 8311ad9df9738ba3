import { ErrorCode, TouchpointError, flowResponse } from '@touchpoint/protocol';
import { route, type Route } from '../router.js';

export const flowRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/flows/:id',
    role: 'viewer',
    action: 'flow.view',
    response: flowResponse,
    handle: ({ params }, deps) => {
      const flow = deps.flows.get(params.id!);
      if (!flow) throw new TouchpointError(ErrorCode.NOT_FOUND, `help flow ${params.id!} is not known to this broker`);
      return { flow };
    },
  }),
];
