import type { StaffRole } from './staff.js';

/**
 * The role a staff member needs to send an action. Fixes and diagnostics are
 * agent work; replacing what the customer's screen shows is not: installing
 * help content is an admin operation (issue 12 item 7), whatever the profile says.
 */
const ADMIN_ACTIONS: ReadonlySet<string> = new Set(['help.install']);

export function roleForAction(action: string): StaffRole {
  return ADMIN_ACTIONS.has(action) ? 'admin' : 'agent';
}
