#!/usr/bin/env node
// `npm run build`: every bundle a device maker ships or a server hosts, with its size.
// Each workspace owns its build (esbuild); this script runs them in order and prints a summary.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The virtual MCU as one file for machines without the sources (serialport stays external: it is native). */
async function buildMcuSim() {
  const outfile = join(root, 'dist', 'mcu-sim.mjs');
  await build({
    entryPoints: [join(root, 'firmware-bridge', 'sim', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    external: ['serialport', '@serialport/*'],
    banner: {
      js: "import { createRequire as __tpRequire } from 'node:module'; const require = __tpRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return [outfile];
}

const steps = [
  { name: 'device agent', module: 'device-agent/build.mjs', fn: 'buildAgent' },
  { name: 'touchscreen UI', module: 'device-agent/ui/build.mjs', fn: 'buildTouchUi' },
  { name: 'console', module: 'console/build.mjs', fn: 'buildConsole' },
  { name: 'virtual MCU', run: buildMcuSim },
];

/** Workspace builds report an `outDir` (every file in it counts) or a list of `files`. */
function filesOf(result) {
  if (typeof result?.outDir === 'string')
    return readdirSync(result.outDir, { recursive: true })
      .map((f) => join(result.outDir, String(f)))
      .filter((f) => statSync(f).isFile());
  if (Array.isArray(result?.files)) return result.files.map((f) => (typeof f === 'string' ? f : f.path));
  return [];
}

function describe(file) {
  const bytes = statSync(file).size;
  const gz = gzipSync(readFileSync(file)).length;
  return `${relative(root, file).padEnd(48)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${(gz / 1024).toFixed(1).padStart(7)} KiB gzipped`;
}

let failed = false;
for (const step of steps) {
  const started = Date.now();
  process.stdout.write(`• building ${step.name} … `);
  try {
    let files;
    if (step.run) {
      files = await step.run();
    } else {
      const path = join(root, step.module);
      if (!existsSync(path)) throw new Error(`${step.module} is missing`);
      const mod = await import(pathToFileURL(path).href);
      const result = await mod[step.fn]({ quiet: true });
      files = filesOf(result);
    }
    process.stdout.write(`done in ${Date.now() - started} ms\n`);
    for (const file of files.filter((f) => /\.(m?js|css|html)$/.test(f))) console.log(`    ${describe(file)}`);
  } catch (err) {
    failed = true;
    process.stdout.write('failed\n');
    console.error(`    ${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exitCode = failed ? 1 : 0;
