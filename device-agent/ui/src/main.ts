// The touch UI's entry point (bundled by ../build.mjs).
import './tp-app.js';

// The video call is never on the first screen: its chunk loads after the app has rendered.
import('./video/tp-video.js').catch((err: unknown) =>
  console.error('touch UI: the video call could not be loaded (INTERNAL)', err),
);
