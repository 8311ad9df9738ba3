import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import touchpoint from '../../eslint-rules/index.js';
import { REPO_ROOT } from '../helpers/virtual-device.js';

// The rules that enforce docs/architecture.md "The one-way dependency rule" (issue 14):
// touchpoint/workspace-boundaries and touchpoint/no-import-cycle.

type Found = { rule: string | null; message: string; line: number };

async function lint(eslint: ESLint, filePath: string, code: string): Promise<Found[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.startsWith('touchpoint/') || m.fatal)
    .map((m) => ({ rule: m.ruleId, message: m.message, line: m.line }));
}

describe('boundary rules on a fixture repository', () => {
  let root: string;
  let eslint: ESLint;

  const files: Record<string, string> = {
    'package.json': JSON.stringify({ workspaces: ['core', 'app', 'tool'] }),
    'core/package.json': JSON.stringify({
      name: '@fx/core',
      exports: { '.': './src/index.ts', './extra': { import: './src/extra.ts' } },
    }),
    'core/src/index.ts': 'export const core = 1;\n',
    'core/src/extra.ts': 'export const extra = 2;\n',
    'core/src/inner.ts': 'export const inner = 3;\n',
    'app/package.json': JSON.stringify({ name: '@fx/app', exports: { '.': './src/index.ts' } }),
    'app/src/index.ts': 'export const app = 1;\n',
    // A two-file cycle whose back edge is type-only, as agent.ts and the extensions' index.ts were.
    'app/src/services.ts':
      "import type { Extension } from './extension.js';\nexport interface Services { extensions: Extension[] }\n",
    'app/src/extension.ts':
      "import type { Services } from './services.js';\nexport interface Extension { start(s: Services): void }\n",
    // Three files in a ring.
    'app/src/ring-a.ts': "import { b } from './ring-b.js';\nexport const a = () => b;\n",
    'app/src/ring-b.ts': "import { c } from './ring-c.js';\nexport const b = () => c;\n",
    'app/src/ring-c.ts': "import { a } from './ring-a.js';\nexport const c = () => a;\n",
    // A dynamic import back is a deliberate lazy edge.
    'app/src/lazy-a.ts': "import { b } from './lazy-b.js';\nexport const a = b;\n",
    'app/src/lazy-b.ts': "export const b = async () => (await import('./lazy-a.js')).a;\n",
    'tool/package.json': JSON.stringify({ name: '@fx/tool' }),
    'tool/run.ts': 'export {};\n',
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tp-lint-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const config: Linter.Config[] = [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: { touchpoint },
        rules: {
          'touchpoint/workspace-boundaries': [
            'error',
            { root, dependencies: { core: [], app: ['core'], tool: ['core', 'app'] } },
          ],
          'touchpoint/no-import-cycle': ['error', { root }],
        },
      },
    ];
    eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("refuses a path into another workspace's folder", async () => {
    const found = await lint(
      eslint,
      join(root, 'app/src/uses-core.ts'),
      "import { inner } from '../../core/src/inner.js';\nexport const x = inner;\n",
    );
    expect(found).toEqual([expect.objectContaining({ rule: 'touchpoint/workspace-boundaries', line: 1 })]);
    expect(found[0]?.message).toContain(
      "reaches into the core workspace by path. Import it through its package entry ('@fx/core', '@fx/core/extra')",
    );
  });

  it('refuses an unexported subpath and a package without entries', async () => {
    const found = await lint(
      eslint,
      join(root, 'app/src/uses-core.ts'),
      "import { inner } from '@fx/core/src/inner.js';\nimport '@fx/tool/run.js';\nexport const x = inner;\n",
    );
    expect(found.map((f) => [f.rule, f.line])).toEqual([
      ['touchpoint/workspace-boundaries', 1],
      ['touchpoint/workspace-boundaries', 2],
    ]);
    expect(found[0]?.message).toContain("'@fx/core/src/inner.js' is not an entry of @fx/core");
    expect(found[1]?.message).toContain('@fx/tool has no package entry');
  });

  it('refuses an import against the direction', async () => {
    const found = await lint(eslint, join(root, 'core/src/uses-app.ts'), "export { app } from '@fx/app';\n");
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'touchpoint/workspace-boundaries',
        message: expect.stringContaining('core may not depend on @fx/app'),
      }),
    ]);
  });

  it('allows package entries in the direction, own files and type imports of them', async () => {
    const code = [
      "import { core } from '@fx/core';",
      "import { extra } from '@fx/core/extra';",
      "import type { Services } from './services.js';",
      "import { app } from './index.js';",
      'export const all: [number, number, number, Services | undefined] = [core, extra, app, undefined];',
      '',
    ].join('\n');
    expect(await lint(eslint, join(root, 'app/src/uses-core.ts'), code)).toEqual([]);
  });

  it('reports a two-file cycle made of type-only imports, on both sides', async () => {
    for (const [file, other] of [
      ['services', 'extension'],
      ['extension', 'services'],
    ] as const) {
      const found = await lint(eslint, join(root, `app/src/${file}.ts`), files[`app/src/${file}.ts`]!);
      expect(found).toEqual([expect.objectContaining({ rule: 'touchpoint/no-import-cycle', line: 1 })]);
      expect(found[0]?.message).toContain(
        `Import cycle: app/src/${file}.ts -> app/src/${other}.ts -> app/src/${file}.ts`,
      );
    }
  });

  it('reports a longer cycle with its whole chain', async () => {
    const found = await lint(eslint, join(root, 'app/src/ring-a.ts'), files['app/src/ring-a.ts']!);
    expect(found.map((f) => f.message)).toEqual([
      expect.stringContaining('app/src/ring-a.ts -> app/src/ring-b.ts -> app/src/ring-c.ts -> app/src/ring-a.ts'),
    ]);
  });

  it('does not follow a dynamic import back', async () => {
    expect(await lint(eslint, join(root, 'app/src/lazy-a.ts'), files['app/src/lazy-a.ts']!)).toEqual([]);
    expect(await lint(eslint, join(root, 'app/src/lazy-b.ts'), files['app/src/lazy-b.ts']!)).toEqual([]);
  });
});

// Real files of the repository with other text: the project service only knows files on disk.
describe('the repository config', () => {
  const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfigFile: join(REPO_ROOT, 'eslint.config.js') });

  it('refuses test/ reaching into console/src and allows the console package entry', async () => {
    const file = join(REPO_ROOT, 'test/video/console-entry.ts');
    const refused = await lint(
      eslint,
      file,
      "import { setCsrfToken } from '../../console/src/data/api.js';\nsetCsrfToken(undefined);\n",
    );
    expect(refused).toEqual([
      expect.objectContaining({
        rule: 'touchpoint/workspace-boundaries',
        message: expect.stringContaining('reaches into the console workspace by path'),
      }),
    ]);
    const allowed = await lint(
      eslint,
      file,
      "import { setCsrfToken } from '@touchpoint/console/video';\nsetCsrfToken(undefined);\n",
    );
    expect(allowed).toEqual([]);
  });

  it('refuses the console importing the broker', async () => {
    const found = await lint(
      eslint,
      join(REPO_ROOT, 'console/src/zod-jitless.ts'),
      "import type { RunningBroker } from '@touchpoint/broker';\nexport type B = RunningBroker;\n",
    );
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'touchpoint/workspace-boundaries',
        message: expect.stringContaining('console may not depend on @touchpoint/broker'),
      }),
    ]);
  });

  it('refuses a type-only cycle between two broker files', async () => {
    // authed.ts is imported by live-hub.ts; importing the hub back closes the cycle issue 14 found.
    const found = await lint(
      eslint,
      join(REPO_ROOT, 'broker/src/http/authed.ts'),
      "import type { LiveHub } from './live-hub.js';\nexport type Hub = LiveHub;\n",
    );
    expect(found).toEqual([
      expect.objectContaining({
        rule: 'touchpoint/no-import-cycle',
        message: expect.stringContaining(
          'broker/src/http/authed.ts -> broker/src/http/live-hub.ts -> broker/src/http/authed.ts',
        ),
      }),
    ]);
  });
});
