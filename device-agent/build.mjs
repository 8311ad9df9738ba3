#!/usr/bin/env node
// The device agent as one ESM file for devices: `node device-agent/build.mjs` or, from the root, `npm run build`.
// Native modules stay external (serialport's bindings, better-sqlite3): install them on the device with npm.
import { build } from 'esbuild';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

/** Packages that must be installed next to the bundle (native code, loaded at runtime). */
export const AGENT_EXTERNALS = ['serialport', '@serialport/*', 'better-sqlite3'];

/**
 * V8 doubles the young generation whenever start-up allocates fast (loading the profile, flows and schemas), up to
 * 16 MiB per semi-space, and gives it back only when its memory reducer runs: some time after start, or not at all on
 * a busy device, where an idle agent kept ≈ 10–20 MiB of empty young generation (issue 13, docs/benchmarks.md). The
 * agent allocates little once started, so its young generation keeps its initial size. The growth factor is read at
 * each resize, so it can be set at run time, before the bundle's first module runs.
 */
export const AGENT_V8_FLAGS = '--semi-space-growth-factor=1';

/**
 * zod's `z` namespace re-exports every locale (~260 KiB minified) and esbuild cannot drop members of a namespace
 * object. The agent only uses the English messages zod installs by default (from locales/en.js, untouched), so the
 * `z.locales` namespace is replaced by an empty module.
 */
const dropZodLocales = {
  name: 'drop-zod-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/zod/`) ? { path: 'zod-locales', namespace: 'tp-empty' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'tp-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * Bundle src/bundle-main.ts into dist/touchpoint-agent.mjs (run it as `node touchpoint-agent.mjs --config FILE`).
 * The bundle sits in device-agent/dist, so the touch UI default (../ui/dist) resolves as in the sources.
 * @param {{ outfile?: string, minify?: boolean, quiet?: boolean }} [options]
 * @returns {Promise<{ files: string[], bytes: number, gzipBytes: number }>}
 */
export async function buildAgent(options = {}) {
  const outfile = options.outfile ?? join(here, 'dist', 'touchpoint-agent.mjs');
  await build({
    entryPoints: [join(here, 'src', 'bundle-main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    external: AGENT_EXTERNALS,
    plugins: [dropZodLocales],
    // CommonJS dependencies (mqtt, ws) call require(); give the ESM bundle one. The heap flags (AGENT_V8_FLAGS)
    // go here too: a banner runs before every bundled module, whatever order esbuild gives them.
    banner: {
      js: [
        "import { createRequire as __tpRequire } from 'node:module'; const require = __tpRequire(import.meta.url);",
        `import { setFlagsFromString as __tpV8Flags } from 'node:v8'; __tpV8Flags(${JSON.stringify(AGENT_V8_FLAGS)});`,
      ].join('\n'),
    },
    logLevel: 'warning',
  });
  const bytes = statSync(outfile).size;
  const gzipBytes = gzipSync(readFileSync(outfile)).length;
  if (!options.quiet) {
    console.log(
      `${relative(process.cwd(), outfile)}  ${(bytes / 1024).toFixed(1)} KiB (${(gzipBytes / 1024).toFixed(1)} KiB gzipped); external: ${AGENT_EXTERNALS.join(', ')}`,
    );
  }
  return { files: [outfile], bytes, gzipBytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildAgent();
}
