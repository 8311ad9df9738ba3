// The touch UI's entry point (bundled by ../build.mjs into dist/app.js).
import './tp-app.js';
import './video/tp-video.js';
