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
    // CommonJS dependencies (mqtt, ws) call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __tpRequire } from 'node:module'; const require = __tpRequire(import.meta.url);",
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
