import type { Counters } from '../counters.js';
import type { DeviceViews } from '../fleet/device-views.js';
import type { Fleet } from '../fleet/fleet.js';
import type { StaffMember, StaffSession } from '../fleet/staff.js';
import type { Logger } from '../logger.js';
import type { FlowCatalog } from './flows.js';
import type { LiveHub } from './live-hub.js';
import type { FailureLimiter } from './rate-limit.js';

/** What every API route can reach. One per HTTP server. */
export interface ApiDeps {
  fleet: Fleet;
  views: DeviceViews;
  counters: Counters;
  log: Logger;
  hub: LiveHub;
  flows: FlowCatalog;
  limiters: { account: FailureLimiter; ip: FailureLimiter };
  /** Add `Secure` to the session cookie (when served over HTTPS). */
  secureCookies: boolean;
}

/** A request with a valid staff session. */
export interface Authed {
  staff: StaffMember;
  session: StaffSession;
  /** The raw session token (to end the session or its live streams). */
  token: string;
  ip: string;
}
