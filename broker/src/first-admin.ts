import type { Fleet } from './fleet/fleet.js';

/**
 * On a fleet database without staff: the `admin` account with a one-time password, audited, returned once
 * so the process that made it can print it. `touchpoint broker` and `touchpoint api` call it once their
 * ports are theirs (a failed start must not swallow the password). Two API processes starting at once on
 * a fresh database race for it: the unique name lets one win, and the other prints nothing.
 */
export async function ensureFirstAdmin(fleet: Fleet): Promise<{ name: string; password: string } | undefined> {
  if (fleet.staff.count() > 0) return undefined;
  let password: string;
  try {
    ({ password } = await fleet.staff.add('admin', 'admin', 'Administrator', { mustChangePassword: true }));
  } catch (err) {
    if (fleet.staff.count() > 0) return undefined;
    throw err;
  }
  await fleet.audit.record({
    actor: 'system',
    action: 'staff.create',
    target: 'admin',
    outcome: 'ok',
    detail: { role: 'admin', reason: 'first start' },
  });
  return { name: 'admin', password };
}
