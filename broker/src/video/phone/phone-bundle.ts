import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./phone-main.ts', import.meta.url));

/**
 * The phone page's script. A release ships it prebuilt (`bundlePath`, built by
 * `buildPhoneBundle`); from source it is bundled once with esbuild on first use.
 */
export function phoneBundleLoader(bundlePath?: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => (cached ??= bundlePath ? readFile(bundlePath, 'utf8') : buildPhoneBundle());
}

export async function buildPhoneBundle(outfile?: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
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
