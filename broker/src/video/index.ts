export { VideoService, type VideoServiceDeps, type Publish, type StaffSessionsEnded } from './video-service.js';
export { phoneOriginPolicy, type PhoneOriginPolicy } from './phone-origin.js';
export { videoConsoleRoutes } from './http/console-routes.js';
export { phoneHandler } from './http/phone-handler.js';
export { videoOptionsFromEnv, iceServersFor, DEFAULT_RING_TIMEOUT_MS, type VideoOptions } from './options.js';
export { buildPhoneBundle } from './phone/phone-bundle.js';
