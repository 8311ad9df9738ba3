// Bundles the console with esbuild: `node console/build.mjs [outDir]`, or `buildConsole({ outDir })` from code.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT_DIR = join(here, 'dist');

const html = (js, css) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Touchpoint console</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<tpc-app></tpc-app>
<noscript>The Touchpoint console needs JavaScript.</noscript>
</body>
</html>
`;

const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2457c5"/><circle cx="16" cy="16" r="6" fill="#fff"/></svg>`;

/**
 * zod's namespace object re-exports every locale (about 250 KiB minified), and
 * a namespace object defeats tree-shaking. The console shows its own English
 * messages, so the locale index is narrowed to English.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/zod/`) ? { path: 'zod-locales', namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: 'export { default as en } from "zod/v4/locales/en.js";',
      resolveDir: here,
      loader: 'js',
    }));
  },
};

const hashName = (name, text) => `${name}-${createHash('sha256').update(text).digest('hex').slice(0, 10)}`;

/**
 * Builds console/dist (or `outDir`): one minified ES module and one stylesheet
 * with content hashes in their names (served as immutable), index.html and a
 * favicon. Returns the files with raw and gzipped sizes.
 */
export async function buildConsole({ outDir = DEFAULT_OUT_DIR, minify = true, quiet = false } = {}) {
  const out = resolve(outDir);
  // The flow studio's preview page (issue 18): the touch UI's own flow player driven by the agent's flow
  // engine, from device-agent's studio-preview entry; the studio loads it into an 800×480 frame.
  const preview = await build({
    entryPoints: [createRequire(import.meta.url).resolve('@touchpoint/device-agent/studio-preview')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    loader: { '.html': 'text' },
    // The engine imports @touchpoint/runtime for its event emitter only; the runtime's Node-only modules
    // (the CLI runner) are left out by tree-shaking, and the check below proves none reached the page.
    external: ['node:*'],
    metafile: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    plugins: [zodEnglishOnly],
  });
  const previewJs = new TextDecoder().decode(preview.outputFiles[0].contents);
  if (/from\s*"node:|import\s*"node:/.test(previewJs))
    throw new Error('the studio preview bundle imports a Node module');
  const previewName = `${hashName('studio-preview', previewJs)}.js`;
  const result = await build({
    entryPoints: [join(here, 'src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    loader: { '.css': 'text' },
    define: { 'process.env.NODE_ENV': '"production"', __TP_STUDIO_PREVIEW__: JSON.stringify(previewName) },
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, experimentalDecorators: false } },
    logLevel: 'silent',
    metafile: true,
    plugins: [zodEnglishOnly],
  });
  const js = new TextDecoder().decode(result.outputFiles[0].contents);
  const css = readFileSync(join(here, 'src/global.css'), 'utf8');
  const jsName = `${hashName('app', js)}.js`;
  const cssName = `${hashName('app', css)}.css`;
  rmSync(join(out, 'assets'), { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const files = [
    [join(out, 'assets', jsName), js],
    [join(out, 'assets', cssName), css],
    [join(out, 'assets', previewName), previewJs],
    [join(out, 'favicon.svg'), favicon],
    // Written last: a half-built directory has no index.html, so the broker keeps waiting or rebuilding.
    [join(out, 'index.html'), html(jsName, cssName)],
  ];
  const sizes = [];
  for (const [path, text] of files) {
    writeFileSync(path, text);
    const bytes = Buffer.byteLength(text);
    sizes.push({ file: relative(out, path), bytes, gzipBytes: gzipSync(text).length });
  }
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`console built in ${out}`);
    for (const s of sizes)
      console.log(`  ${s.file.padEnd(34)} ${kb(s.bytes).padStart(10)}  gzip ${kb(s.gzipBytes).padStart(9)}`);
  }
  return { outDir: out, files: sizes, warnings: result.warnings.map((w) => w.text) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildConsole({ outDir: process.argv[2] ?? DEFAULT_OUT_DIR }).catch((err) => {
    console.error(`console build failed: ${err.message}`);
    process.exitCode = 1;
  });
}

export const CONSOLE_ENTRY = basename(fileURLToPath(import.meta.url));
