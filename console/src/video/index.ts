// `@touchpoint/console/video`: the video call panel on its own, for a page that hosts it without
// the console shell (test/video mounts it on the broker's origin), so that nobody reaches into
// console/src for it (issue 14).
// First, as in src/index.ts: zod's setting must be in place before @touchpoint/protocol creates its schemas.
import '../zod-jitless.js';

export { setCsrfToken } from '../data/api.js';
export { TpVideoCall } from './tp-video-call.js';
