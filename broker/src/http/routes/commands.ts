import {
  ErrorCode,
  TouchpointError,
  commandListResponse,
  commandView as commandViewSchema,
  sendCommandRequest,
} from '@touchpoint/protocol';
import { route, type Route } from '../router.js';
import { commandView } from './views.js';

export const commandRoutes: Route[] = [
  route({
    // The fleet service checks the role again, validates against the catalog, signs, audits and publishes (QoS 1).
    method: 'POST',
    path: '/api/devices/:id/commands',
    role: 'agent',
    action: 'command.send',
    body: sendCommandRequest,
    response: commandViewSchema,
    status: 201,
    handle: async ({ params, body, auth }, deps) => {
      const record = await deps.fleet.commands.send({
        deviceId: params.id!,
        action: body.action,
        params: body.params,
        staff: auth.staff,
        ttlMs: body.ttlMs,
      });
      return commandView(record, deps.fleet.staff.displayNames());
    },
  }),
  route({
    method: 'GET',
    path: '/api/devices/:id/commands',
    role: 'viewer',
    action: 'device.commands',
    auditAccess: true,
    response: commandListResponse,
    handle: async ({ params }, deps) => {
      if (!(await deps.fleet.devices.get(params.id!)))
        throw new TouchpointError(ErrorCode.NOT_FOUND, `device ${params.id!} does not exist`);
      const names = deps.fleet.staff.displayNames();
      return { items: deps.fleet.commands.listForDevice(params.id!, 50).map((c) => commandView(c, names)) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/commands/:id',
    role: 'viewer',
    action: 'command.view',
    response: commandViewSchema,
    handle: ({ params }, deps) => {
      const record = deps.fleet.commands.get(params.id!);
      if (!record) throw new TouchpointError(ErrorCode.NOT_FOUND, `command ${params.id!} does not exist`);
      return commandView(record, deps.fleet.staff.displayNames());
    },
  }),
];
