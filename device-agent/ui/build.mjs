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

/** Packages that must never reach the browser bundle (the UI imports only protocol *types*). */
const FORBIDDEN_INPUTS = [/node_modules\/zod\//, /node_modules\/@marcbachmann\//, /\/protocol\/src\//, /\/device-agent\/src\//];

/**
 * @param {{ outDir?: string, minify?: boolean, quiet?: boolean }} [options]
 * @returns {Promise<{ outDir: string, script: string, bytes: number, gzipBytes: number }>}
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
    outdir: outDir,
    metafile: true,
    write: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const leaked = Object.keys(result.metafile.inputs).filter((input) => FORBIDDEN_INPUTS.some((re) => re.test(input)));
  if (leaked.length) throw new Error(`the touch UI bundle pulled in code it must only import types from: ${leaked.join(', ')}`);
  const outputs = Object.keys(result.metafile.outputs).filter((o) => o.endsWith('.js'));
  if (outputs.length !== 1) throw new Error(`expected one script, got ${outputs.join(', ')}`);
  const script = basename(outputs[0]);
  const code = await readFile(join(outDir, script));
  const html = (await readFile(join(here, 'index.html'), 'utf8')).replace('./app.js', `./${script}`);
  await writeFile(join(outDir, 'index.html'), html);
  const bytes = code.length;
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  if (!options.quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`touch UI -> ${outDir}/${script}: ${kb(bytes)}, ${kb(gzipBytes)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
  }
  return { outDir, script, bytes, gzipBytes };
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
