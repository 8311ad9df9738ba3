import { DEFAULT_MODELS_DIR, type ModelRegistry } from '@touchpoint/models';
import type { Counters } from '../counters.js';
import { DeviceViews } from '../fleet/device-views.js';
import { loadModelRegistry } from '../fleet/profiles.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { ApiDeps } from './context.js';
import { FlowCatalog } from './flows.js';
import { DEFAULT_LIVE_OPTIONS, LiveHub, type LiveHubOptions } from './live-hub.js';
import { LoginLocks } from '../fleet/login-locks.js';
import { DEFAULT_LOGIN_LIMITS, LoginThrottle, type LoginLimits } from './rate-limit.js';
import { clientIp, trustedProxySet } from './request.js';
import { apiHandler, type Route } from './router.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { caseHistoryRoutes } from './routes/case-history.js';
import { bundleRoutes } from './routes/bundles.js';
import { chatRoutes } from '../chat/routes.js';
import { caseRoutes } from './routes/cases.js';
import { commandRoutes } from './routes/commands.js';
import { deviceRoutes } from './routes/devices.js';
import { flowRoutes } from './routes/flows.js';
import { contentRoutes } from './routes/content.js';
import { healthRoutes } from './routes/health.js';
import { integrationRoutes } from './routes/integrations.js';
import { kpiRoutes } from './routes/kpis.js';
import { liveHandler } from './routes/live.js';
import { loginHandler } from './routes/login.js';
import { staffRoutes } from './routes/staff.js';
import { healthHandler, type HttpHandler } from './server.js';
import { consoleAssets } from '@touchpoint/console/assets';
import { consoleHandler } from './static.js';

export interface RouteContext {
  fleet: Fleet;
  counters: Counters;
  log: Logger;
  /** The built console; default: this repository's console/dist, built on first request if missing. */
  consoleDir?: string | undefined;
  /** The device models whose help flows /api/flows/:id serves (the broker's --models-dir); default: the bundled examples. */
  models?: ModelRegistry | undefined;
  loginLimits?: Partial<LoginLimits> | undefined;
  live?: Partial<LiveHubOptions> | undefined;
  /** Mark the session cookie Secure. Default: true when `publicUrl` is https (the console is served over HTTPS). */
  secureCookies?: boolean | undefined;
  /** The origin staff reach the console at (--public-url); https makes cookies Secure by default. */
  publicUrl?: string | undefined;
  /** Reverse proxies whose X-Forwarded-For names the client (--trusted-proxy). */
  trustedProxies?: readonly string[] | undefined;
  /** Routes of other services (the video calls' /api/video/sessions/*), on the route table beside the API's. */
  extraRoutes?: readonly Route[] | undefined;
  /** Handlers of other services that have no staff session (the phone in a video call), tried before the API. */
  extraHandlers?: ((deps: ApiDeps) => HttpHandler[]) | undefined;
}

/** Every API endpoint, in one list (see docs/console.md for the table). */
export const API_ROUTES: readonly Route[] = [
  ...authRoutes,
  ...deviceRoutes,
  ...commandRoutes,
  ...caseRoutes,
  ...bundleRoutes,
  ...chatRoutes,
  ...caseHistoryRoutes,
  ...auditRoutes,
  ...kpiRoutes,
  ...staffRoutes,
  ...integrationRoutes,
  ...flowRoutes,
  ...contentRoutes,
  ...healthRoutes,
];

/** Every HTTP route, in the order they are tried. */
export function buildHttpHandlers(ctx: RouteContext): HttpHandler[] {
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...ctx.loginLimits };
  const liveOptions = { ...DEFAULT_LIVE_OPTIONS, ...ctx.live };
  const proxies = trustedProxySet(ctx.trustedProxies);
  const locks = new LoginLocks(ctx.fleet.db, {
    failures: limits.perAccount,
    windowMs: limits.windowMs,
    lockMs: limits.lockMs,
    maxLockMs: limits.maxLockMs,
  });
  let registry: ModelRegistry | undefined;
  const models = (): ModelRegistry => (registry ??= ctx.models ?? loadModelRegistry([DEFAULT_MODELS_DIR], ctx.log));
  const deps: ApiDeps = {
    fleet: ctx.fleet,
    views: new DeviceViews(ctx.fleet.db),
    counters: ctx.counters,
    log: ctx.log,
    hub: new LiveHub(ctx.fleet, ctx.log, liveOptions, ctx.counters),
    flows: new FlowCatalog(() => models().flows),
    models,
    throttle: new LoginThrottle(locks, limits),
    clientIp: (req) => clientIp(req, proxies),
    secureCookies: ctx.secureCookies ?? ctx.publicUrl?.startsWith('https:') ?? false,
  };
  return [
    healthHandler(),
    loginHandler(deps),
    liveHandler(deps, liveOptions.maxStreamsPerSession),
    ...(ctx.extraHandlers?.(deps) ?? []),
    apiHandler([...API_ROUTES, ...(ctx.extraRoutes ?? [])], deps),
    consoleHandler(ctx.consoleDir ? { dir: ctx.consoleDir } : consoleAssets(), ctx.log),
  ];
}
