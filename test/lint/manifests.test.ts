import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/virtual-device.js';
import { importedSpecifiers, manifestProblems, packageOf } from './manifest-imports.js';

// Issue 14: package manifests list what each workspace really imports (the console declared qrcode,
// which only the touch UI in device-agent/ui uses); this check in `npm test` keeps them true.

describe('manifest check on a fixture repository', () => {
  let root: string;

  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      workspaces: ['core', 'app'],
      scripts: { lint: 'lintly .' },
      devDependencies: { lintly: '1', vitest: '3', '@types/qrcode': '1', '@types/node': '20', unusedtool: '1' },
    }),
    'core/package.json': JSON.stringify({ name: '@fx/core', dependencies: { zod: '4', leftpad: '1' } }),
    'core/src/index.ts':
      "import { z } from 'zod';\nimport { readFileSync } from 'node:fs';\nimport 'path';\nexport const s = z.string();\n",
    'core/test/index.test.ts': "import { it } from 'vitest';\nimport { s } from '@fx/core';\nit('x', () => s);\n",
    'app/package.json': JSON.stringify({ name: '@fx/app', dependencies: { '@fx/core': '*' } }),
    'app/src/index.ts': "export { s } from '@fx/core';\nexport type { Q } from './q.js';\n",
    'app/src/q.ts': "export type Q = import('qrcode').QRCodeToDataURLOptions;\n",
    'app/ui/view.js': "const lit = await import('lit/decorators.js');\nexport default lit;\n",
    'app/dist/bundle.js': "import 'ignored-build-output';\n",
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tp-manifests-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names undeclared imports with a file, unused dependencies and unused root tooling', () => {
    expect(manifestProblems(root)).toEqual([
      { manifest: 'core/package.json', kind: 'unused', dependency: 'leftpad' },
      { manifest: 'app/package.json', kind: 'undeclared', dependency: 'qrcode', file: 'app/src/q.ts' },
      { manifest: 'app/package.json', kind: 'undeclared', dependency: 'lit', file: 'app/ui/view.js' },
      { manifest: 'package.json', kind: 'unused', dependency: 'unusedtool' },
    ]);
  });

  it('reads every way a file names a module and reduces it to its package', () => {
    const code = [
      "import a from 'a';",
      "import type { B } from '@s/b/sub';",
      "export * from 'c/deep/file.js';",
      "const d = await import('d');",
      "type E = import('e').E;",
      "const f = require('f');",
      "import './local.js';",
    ].join('\n');
    expect(importedSpecifiers(code).map(packageOf)).toEqual(['a', '@s/b', 'c', 'd', 'e', 'f', undefined]);
    expect(['node:fs', 'fs', 'path/posix', '../x.js', '/abs.js'].map(packageOf)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('the repository manifests', () => {
  it('declare exactly what each workspace imports', () => {
    expect(manifestProblems(REPO_ROOT)).toEqual([]);
  });
});
