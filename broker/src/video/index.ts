export { VideoService, type VideoServiceDeps, type Publish } from './video-service.js';
export { createVideoHttpHandlers, type VideoHttpContext } from './http/handlers.js';
export { videoOptionsFromEnv, iceServersFor, DEFAULT_RING_TIMEOUT_MS, type VideoOptions } from './options.js';
export { buildPhoneBundle } from './phone/phone-bundle.js';
