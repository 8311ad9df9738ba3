// Bundles the touch UI with esbuild: one hashed ES module plus index.html, no
// network resources. `node device-agent/ui/build.mjs [outDir]` builds to
// device-agent/ui/dist by default and prints the bundle size (raw and gzipped);
// the budget is 60 KB gzipped. The agent calls buildTouchUi() when dist is
// missing or stale in a source checkout.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const UI_SOURCE_DIR = here;
export const DEFAULT_OUT_DIR = join(here, 'dist');
export const BUDGET_GZIP_BYTES = 60 * 1024;

/** Packages that must never reach the browser bundle: the UI imports only protocol *types*, plus the browser-only WebRTC module. */
const FORBIDDEN_INPUTS = [
  /node_modules\/zod\//,
  /node_modules\/@marcbachmann\//,
  /\/protocol\/src\/(?!webrtc\/)/,
  /\/device-agent\/src\//,
];

/**
 * @param {{ outDir?: string, minify?: boolean, quiet?: boolean }} [options]
 * @returns {Promise<{ outDir: string, script: string, bytes: number, gzipBytes: number, entryGzipBytes: number }>}
 */
export async function buildTouchUi(options = {}) {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src', 'main.ts') },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    // Features not needed for the first screen (the video call) load as separate chunks.
    splitting: true,
    outdir: outDir,
    metafile: true,
    write: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const leaked = Object.keys(result.metafile.inputs).filter((input) => FORBIDDEN_INPUTS.some((re) => re.test(input)));
  if (leaked.length)
    throw new Error(`the touch UI bundle pulled in code it must only import types from: ${leaked.join(', ')}`);
  const outputs = Object.entries(result.metafile.outputs).filter(([o]) => o.endsWith('.js'));
  // Dynamically imported modules are entry points too; the page loads the one built from src/main.ts.
  const entries = outputs.filter(([, meta]) => meta.entryPoint?.endsWith('src/main.ts'));
  if (entries.length !== 1) throw new Error(`expected one entry script, got ${outputs.map(([o]) => o).join(', ')}`);
  const script = basename(entries[0][0]);
  const html = (await readFile(join(here, 'index.html'), 'utf8')).replace('./app.js', `./${script}`);
  await writeFile(join(outDir, 'index.html'), html);
  // The budget counts every script the UI can load, each gzipped as it would travel.
  const gzipped = new Map();
  let bytes = 0;
  let gzipBytes = 0;
  for (const [output] of outputs) {
    const code = await readFile(resolve(process.cwd(), output));
    const gz = gzipSync(code, { level: 9 }).length;
    gzipped.set(output, gz);
    bytes += code.length;
    gzipBytes += gz;
  }
  // What the first screen needs: the entry and the chunks it imports statically (not the lazy ones).
  const firstScreen = new Set();
  const visit = (output) => {
    if (firstScreen.has(output)) return;
    firstScreen.add(output);
    for (const dep of result.metafile.outputs[output]?.imports ?? [])
      if (dep.kind === 'import-statement') visit(dep.path);
  };
  visit(entries[0][0]);
  const entryGzipBytes = [...firstScreen].reduce((sum, o) => sum + (gzipped.get(o) ?? 0), 0);
  if (!options.quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(
      `touch UI -> ${outDir}/${script} (+${outputs.length - 1} chunks): ${kb(bytes)}, ${kb(gzipBytes)} gzipped, first screen ${kb(entryGzipBytes)} (budget ${kb(BUDGET_GZIP_BYTES)})`,
    );
  }
  return { outDir, script, bytes, gzipBytes, entryGzipBytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildTouchUi({ outDir: process.argv[2] })
    .then(({ gzipBytes }) => {
      if (gzipBytes > BUDGET_GZIP_BYTES) {
        console.error(`touch UI bundle is over budget: ${gzipBytes} > ${BUDGET_GZIP_BYTES} bytes gzipped`);
        process.exitCode = 1;
      }
    })
    .catch((err) => {
      console.error(`touch UI build failed: ${err.message}`);
      process.exitCode = 1;
    });
}
