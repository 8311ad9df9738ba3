import type { Publish } from './fleet/commands.js';
import { buildHttpHandlers, type RouteContext } from './http/routes.js';
import type { Route } from './http/router.js';
import type { HttpHandler } from './http/server.js';
import { checkPublicUrl } from './options.js';
import { phoneAccessHandler } from './phone/http/phone-access-handler.js';
import { PhoneAccessService } from './phone/phone-access-service.js';
import {
  VideoService,
  phoneHandler,
  phoneOriginPolicy,
  videoConsoleRoutes,
  videoOptionsFromEnv,
  type VideoOptions,
} from './video/index.js';
import { webhookRoutes } from './webhooks/routes.js';
import { fleetFixRoutes } from './fleet-fixes/routes.js';
import { contentDocumentHandler } from './rollouts/content-handler.js';
import { rolloutRoutes } from './rollouts/routes.js';
import type { WebhookService } from './webhooks/service.js';

export interface ConsoleSurfaceOptions extends Omit<RouteContext, 'extraRoutes' | 'extraHandlers'> {
  /** How this process reaches devices: aedes in the embedded broker, the engine in an API process. */
  publish: Publish;
  /** The interface the process listens on: without a public URL, only a loopback host makes phone links. */
  host: string;
  video: VideoOptions | undefined;
  webhooks: WebhookService;
  /** Routes only this process serves (the embedded demo's simulator). */
  extraRoutes?: readonly Route[];
  /** This process's own address once it listens: a loopback broker's phone links point there without a public URL. */
  listenOrigin?: () => string | undefined;
}

/**
 * What staff and phones reach over HTTP, the same in `touchpoint broker` and `touchpoint api` (issue 15):
 * the API's route table, video calls (the console's routes and the phone's pages) and webhooks (the admin
 * routes and Zammad's inbound hook). Built in one place so the two processes cannot drift apart.
 */
export function consoleSurface(options: ConsoleSurfaceOptions): {
  video: VideoService;
  phone: PhoneAccessService;
  handlers: HttpHandler[];
} {
  const { publish, host, video: videoSetting, webhooks, extraRoutes = [], listenOrigin, ...routeContext } = options;
  const videoOptions = videoSetting ?? videoOptionsFromEnv();
  // Phone links point at the public URL (it wins over video.publicUrl).
  const video = new VideoService({
    fleet: routeContext.fleet,
    publish,
    counters: routeContext.counters,
    log: routeContext.log,
    options: videoOptions,
    phoneOrigin: phoneOriginPolicy(host, routeContext.publicUrl ?? checkPublicUrl(videoOptions.publicUrl)),
  });
  // The phone as a touchpoint (issue 17): its links follow the same origin rule as the video hand-off's.
  const phoneOrigins = phoneOriginPolicy(host, routeContext.publicUrl ?? checkPublicUrl(videoOptions.publicUrl));
  const phone = new PhoneAccessService({
    fleet: routeContext.fleet,
    publish,
    counters: routeContext.counters,
    log: routeContext.log,
    origin: () => phoneOrigins.publicOrigin ?? (phoneOrigins.loopbackOnly ? listenOrigin?.() : undefined),
  });
  const handlers = buildHttpHandlers({
    ...routeContext,
    extraRoutes: [
      ...videoConsoleRoutes(video),
      ...extraRoutes,
      ...webhookRoutes(webhooks),
      ...rolloutRoutes,
      ...fleetFixRoutes,
    ],
    extraHandlers: (deps) => [
      phoneHandler(video, deps),
      phoneAccessHandler(phone, deps),
      webhooks.inboundHandler(),
      contentDocumentHandler(deps.fleet, () => deps.fleet.rollouts.documents, deps.log),
    ],
  });
  return { video, phone, handlers };
}
