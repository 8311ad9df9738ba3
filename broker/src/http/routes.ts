import type { Counters } from '../counters.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import { healthHandler, type HttpHandler } from './server.js';

export interface RouteContext {
  fleet: Fleet;
  counters: Counters;
  log: Logger;
  consoleDir?: string | undefined;
}

/** Every HTTP route, in the order they are tried. */
export function buildHttpHandlers(ctx: RouteContext): HttpHandler[] {
  return [healthHandler(() => ctx.counters.snapshot())];
}
