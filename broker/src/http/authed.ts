// A request that carried a valid staff session. Its own file because both the route context
// (context.ts) and the live hub (live-hub.ts) use it, and context.ts imports the hub (issue 14).
import type { StaffMember, StaffSession } from '../fleet/staff.js';

/** A request with a valid staff session. */
export interface Authed {
  staff: StaffMember;
  session: StaffSession;
  /** The raw session token (to end the session or its live streams). */
  token: string;
  ip: string;
}
