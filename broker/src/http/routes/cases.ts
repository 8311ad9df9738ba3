import {
  ErrorCode,
  TouchpointError,
  caseDetail as caseDetailSchema,
  caseNoteRequest,
  caseQueueQuery,
  caseQueueResponse,
  caseUpdateRequest,
} from '@touchpoint/protocol';
import { roleAllows } from '../../fleet/staff.js';
import type { ApiDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { route, type Route } from '../router.js';
import { caseDetail, caseSummary } from './views.js';

function found(deps: ApiDeps, id: string) {
  const c = deps.fleet.cases.get(id);
  if (!c) throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${id} does not exist`);
  return c;
}

export const caseRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/cases',
    role: 'viewer',
    action: 'case.list',
    query: caseQueueQuery,
    response: caseQueueResponse,
    handle: async ({ query }, deps) => {
      const page = deps.fleet.cases.queue(query.limit, query.offset);
      const names = deps.fleet.staff.displayNames();
      return {
        items: await Promise.all(page.items.map((c) => caseSummary(c, deps, names))),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/cases/:id',
    role: 'viewer',
    action: 'case.view',
    response: caseDetailSchema,
    handle: async ({ params, auth }, deps) => {
      const c = found(deps, params.id!);
      // A case carries the device's diagnostics and the customer's trace: reading it is a device access.
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'case.view',
        deviceId: c.deviceId,
        target: c.id,
        outcome: 'ok',
      });
      return caseDetail(c, deps, deps.fleet.staff.displayNames());
    },
  }),
  route({
    method: 'POST',
    path: '/api/cases/:id',
    role: 'agent',
    action: 'case.update',
    body: caseUpdateRequest,
    response: caseDetailSchema,
    handle: async ({ params, body, auth }, deps) => {
      found(deps, params.id!);
      let updated;
      switch (body.op) {
        case 'claim':
          updated = await deps.fleet.cases.update(params.id!, { assignee: auth.staff }, auth.staff);
          break;
        case 'assign': {
          const assignee = deps.fleet.staff.get(body.staffId);
          if (!assignee) throw new HttpError(ErrorCode.NOT_FOUND, `staff member ${body.staffId} does not exist`);
          if (!roleAllows(assignee.role, 'agent'))
            throw new HttpError(ErrorCode.CONFLICT, `${assignee.name} is a ${assignee.role} and cannot work cases`);
          updated = await deps.fleet.cases.update(params.id!, { assignee }, auth.staff);
          break;
        }
        case 'status':
          updated = await deps.fleet.cases.update(params.id!, { status: body.status }, auth.staff);
          break;
      }
      return caseDetail(updated, deps, deps.fleet.staff.displayNames());
    },
  }),
  route({
    method: 'POST',
    path: '/api/cases/:id/notes',
    role: 'agent',
    action: 'case.note',
    body: caseNoteRequest,
    response: caseDetailSchema,
    status: 201,
    handle: async ({ params, body, auth }, deps) => {
      found(deps, params.id!);
      await deps.fleet.cases.addNote(params.id!, body.text, auth.staff);
      return caseDetail(found(deps, params.id!), deps, deps.fleet.staff.displayNames());
    },
  }),
];
