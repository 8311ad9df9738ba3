// The repository's own ESLint rules (plugin prefix `touchpoint/`), wired in eslint.config.js.
import noImportCycle from './no-import-cycle.js';
import workspaceBoundaries from './workspace-boundaries.js';

export default {
  meta: { name: 'eslint-plugin-touchpoint' },
  rules: { 'no-import-cycle': noImportCycle, 'workspace-boundaries': workspaceBoundaries },
};
