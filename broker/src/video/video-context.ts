import type { Counters } from '../counters.js';
import type { Fleet } from '../fleet/fleet.js';
import type { StaffMember } from '../fleet/staff.js';
import type { Logger } from '../logger.js';
import type { HandoffTokens } from './handoff-tokens.js';
import type { VideoOptions } from './options.js';
import type { PhoneOriginPolicy } from './phone-origin.js';
import type { VideoSessions } from './session-store.js';

/** Publishes in-process on the broker (aedes), with the fleet service's rights. */
export type Publish = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) => Promise<void>;

export interface VideoServiceDeps {
  fleet: Fleet;
  publish: Publish;
  counters: Counters;
  log: Logger;
  options?: VideoOptions | undefined;
  /** Where phone links may point (issue 12, Low). Default: no public URL, broker on loopback. */
  phoneOrigin?: PhoneOriginPolicy | undefined;
  now?: () => number;
}

/** Who asks, from the console: the staff member and the login session the request came with. */
export interface StaffCaller {
  staff: StaffMember;
  /** SHA-256 of the session cookie's token: calls and streams are tied to it, never to the token itself. */
  session: string;
}

/** What the console's request says about how it reached us; only used for phone links on a loopback broker. */
export interface RequestOrigin {
  host: string | undefined;
  encrypted: boolean;
}

/** Which staff sessions ended: one login (logout), or every login of a member (disabled, role changed, password reset). */
export interface StaffSessionsEnded {
  staffId: string;
  /** SHA-256 of the ended session's token; absent when all the member's sessions ended. */
  session?: string | undefined;
  reason: string;
}

/** What the parts of the video service share: its dependencies, the calls and the phone links (both in the database). */
export interface VideoContext {
  readonly deps: VideoServiceDeps;
  readonly sessions: VideoSessions;
  readonly tokens: HandoffTokens;
  readonly now: () => number;
  readonly ringTimeoutMs: number;
}
