// The console's browser entry: registers every element; index.html renders <tpc-app>.
import './panels/tpc-app.js';
