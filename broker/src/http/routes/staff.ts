import {
  ErrorCode,
  assignableStaffResponse,
  createStaffRequest,
  staffListResponse,
  staffWithPassword,
  unlockStaffResponse,
  updateStaffRequest,
} from '@touchpoint/protocol';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { route, type Route } from '../router.js';

export const staffRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/staff/assignable',
    role: 'agent',
    action: 'staff.assignable',
    response: assignableStaffResponse,
    handle: (_input, deps) => ({
      items: deps.fleet.staff
        .list()
        .filter((m) => m.role !== 'viewer')
        .map((m) => ({ id: m.id, displayName: m.displayName })),
    }),
  }),
  route({
    method: 'GET',
    path: '/api/staff',
    role: 'admin',
    action: 'staff.list',
    response: staffListResponse,
    handle: (_input, deps) => ({ items: deps.fleet.staff.listAll() }),
  }),
  route({
    method: 'POST',
    path: '/api/staff',
    role: 'admin',
    action: 'staff.create',
    body: createStaffRequest,
    response: staffWithPassword,
    status: 201,
    handle: async ({ body, auth }, deps) => {
      // The admin sees the generated password, so the member must replace it at first login.
      const { staff, password } = await deps.fleet.staff.add(body.name, body.role, body.displayName, {
        mustChangePassword: true,
      });
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'staff.create',
        target: staff.id,
        outcome: 'ok',
        detail: { name: staff.name, role: staff.role },
      });
      return { staff, password };
    },
  }),
  route({
    method: 'POST',
    path: '/api/staff/:id',
    role: 'admin',
    action: 'staff.update',
    body: updateStaffRequest,
    response: staffWithPassword,
    handle: async ({ params, body, auth }, deps) => {
      const all = deps.fleet.staff.listAll();
      const target = all.find((m) => m.id === params.id);
      if (!target) throw new HttpError(ErrorCode.NOT_FOUND, `staff member ${params.id!} does not exist`);
      const losesAdmin =
        target.role === 'admin' &&
        !target.disabled &&
        ((body.role !== undefined && body.role !== 'admin') || body.disabled === true);
      if (losesAdmin && all.filter((m) => m.role === 'admin' && !m.disabled).length === 1) {
        throw new HttpError(ErrorCode.CONFLICT, 'the last active admin cannot be demoted or disabled');
      }
      const updated = deps.fleet.staff.update(target.id, { role: body.role, disabled: body.disabled });
      const password = body.resetPassword ? await deps.fleet.staff.resetPassword(target.id) : undefined;
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'staff.update',
        target: target.id,
        outcome: 'ok',
        detail: { role: updated.role, disabled: updated.disabled, passwordReset: Boolean(password) },
      });
      const { disabled: _disabled, ...staff } = updated;
      return password ? { staff, password } : { staff };
    },
  }),
  route({
    // Lifts the login locks of an account from every address (issue 12, Low: admin unlock); also `touchpoint staff unlock NAME`.
    method: 'POST',
    path: '/api/staff/:id/unlock',
    role: 'admin',
    action: 'staff.unlock',
    body: z.object({}),
    response: unlockStaffResponse,
    handle: async ({ params, auth }, deps) => {
      const target = deps.fleet.staff.listAll().find((m) => m.id === params.id);
      if (!target) throw new HttpError(ErrorCode.NOT_FOUND, `staff member ${params.id!} does not exist`);
      const locksLifted = deps.throttle.locks.unlock(target.name);
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'staff.unlock',
        target: target.id,
        outcome: 'ok',
        detail: { name: target.name, locksLifted, ip: auth.ip },
      });
      const { disabled: _disabled, ...staff } = target;
      return { staff, locksLifted };
    },
  }),
];
