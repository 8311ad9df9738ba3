import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
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
  // The two Lit UIs (issue 14, "Lit lint"): template mistakes (eslint-plugin-lit) and accessibility
  // (eslint-plugin-lit-a11y) in the console and the touchscreen UI.
  {
    files: ['console/src/**/*.ts', 'device-agent/ui/src/**/*.ts'],
    ...lit.configs['flat/recommended'],
    plugins: { lit, 'lit-a11y': litA11y },
    rules: {
      ...lit.configs['flat/recommended'].rules,
      'lit/lifecycle-super': 'error',
      'lit/no-invalid-escape-sequences': 'error',
      'lit/no-native-attributes': 'error',
      'lit/no-template-bind': 'error',
      'lit/no-this-assign-in-render': 'error',
      'lit/no-useless-template-literals': 'error',
      ...litA11y.configs.recommended.rules,
      'lit-a11y/aria-role': 'error',
      'lit-a11y/aria-unsupported-elements': 'error',
      'lit-a11y/autocomplete-valid': 'error',
      'lit-a11y/click-events-have-key-events': 'error',
      'lit-a11y/heading-hidden': 'error',
      'lit-a11y/iframe-title': 'error',
      'lit-a11y/img-redundant-alt': 'error',
      'lit-a11y/list': 'error',
      'lit-a11y/no-access-key': 'error',
      'lit-a11y/no-redundant-role': 'error',
      'lit-a11y/role-has-required-aria-attrs': 'error',
      'lit-a11y/role-supports-aria-attr': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { ...globals.node }, parserOptions: { projectService: false, project: null } },
  },
);
