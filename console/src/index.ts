// The console's browser entry: registers every element; index.html renders <tpc-app>.
// First: zod's setting must be in place before @touchpoint/protocol creates its schemas.
import './zod-jitless.js';
import './panels/tpc-app.js';
