import type { ModelRegistry } from '@touchpoint/models';
import type { Counters } from '../counters.js';
import type { DeviceViews } from '../fleet/device-views.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { FlowCatalog } from './flows.js';
import type { LiveHub } from './live-hub.js';
import type { LoginThrottle } from './rate-limit.js';
import type { IncomingMessage } from 'node:http';

/** What every API route can reach. One per HTTP server. */
export interface ApiDeps {
  fleet: Fleet;
  views: DeviceViews;
  counters: Counters;
  log: Logger;
  hub: LiveHub;
  flows: FlowCatalog;
  /** The device models of the broker's models dirs (the flow studio's models, issue 18); loaded on first use. */
  models: () => ModelRegistry;
  /** Login attempts: reserved before hashing, locked per (account, address) with back-off. */
  throttle: LoginThrottle;
  /** The client address of a request (X-Forwarded-For only from a trusted proxy); see `clientIp`. */
  clientIp: (req: IncomingMessage) => string;
  /** Add `Secure` to the session cookie (when served over HTTPS). */
  secureCookies: boolean;
}
