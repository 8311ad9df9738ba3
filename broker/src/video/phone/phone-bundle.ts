import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./phone-main.ts', import.meta.url));

/**
 * The phone page's script. A release ships it prebuilt (`bundlePath`, built by
 * `buildPhoneBundle`); from source it is bundled once with esbuild on first use.
 */
export function phoneBundleLoader(bundlePath?: string): () => Promise<string> {
  return browserScriptLoader(ENTRY, bundlePath);
}

export function buildPhoneBundle(outfile?: string): Promise<string> {
  return buildBrowserScript(ENTRY, outfile);
}

/** A phone page's script from its entry file: read from `bundlePath` when given, else bundled once on first use. */
export function browserScriptLoader(entry: string, bundlePath?: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => (cached ??= bundlePath ? readFile(bundlePath, 'utf8') : buildBrowserScript(entry));
}

export async function buildBrowserScript(entry: string, outfile?: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'safari16', 'firefox115'],
    minify: true,
    write: false,
    legalComments: 'none',
  });
  const text = result.outputFiles[0]?.text ?? '';
  if (outfile) await (await import('node:fs/promises')).writeFile(outfile, text);
  return text;
}
