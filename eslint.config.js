import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import touchpoint from './eslint-rules/index.js';

// Who may import whom, by workspace folder: docs/architecture.md, "The one-way dependency rule".
// A workspace imports another only through its package entries; touchpoint/workspace-boundaries
// refuses paths into another workspace's folder and unexported subpaths (issue 14).
const dependencies = {
  protocol: [],
  // Reads device models from disk (issue 14, the model registry); protocol stays I/O-free.
  models: ['protocol'],
  // Node-side and shared (issue 14): the command runner, the logger sinks, the safe event emitter.
  runtime: ['protocol'],
  'firmware-bridge': ['protocol', 'models', 'runtime'],
  'device-agent': ['protocol', 'models', 'runtime', 'firmware-bridge'],
  // Hosts the console through its `@touchpoint/console/assets` entry (issue 14).
  broker: ['protocol', 'models', 'runtime', 'console'],
  console: ['protocol'],
  cli: ['protocol', 'models', 'runtime', 'firmware-bridge', 'device-agent', 'broker', 'console'],
  test: ['protocol', 'models', 'runtime', 'firmware-bridge', 'device-agent', 'broker', 'console', 'cli'],
  bench: ['protocol', 'models', 'runtime', 'firmware-bridge', 'device-agent', 'broker', 'console', 'cli', 'test'],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.touchpoint/**', 'test-artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    plugins: { touchpoint },
    rules: {
      'touchpoint/workspace-boundaries': ['error', { root: import.meta.dirname, dependencies }],
      'touchpoint/no-import-cycle': ['error', { root: import.meta.dirname }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { ...globals.node }, parserOptions: { projectService: false, project: null } },
  },
);
