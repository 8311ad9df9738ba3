// `@touchpoint/console/assets`: what a server needs to host the console (Node only), so that the broker
// reaches the console through its package entry instead of reading console/src by path (issue 14).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleBuildOptions, ConsoleBuildResult } from './build.mjs';

export type { ConsoleBuildOptions, ConsoleBuildResult };

/** The built console a server hosts, and how to bring it up to date. */
export interface ConsoleAssets {
  /** The folder with index.html, favicon.svg and the hashed assets/. */
  dir: string;
  /** Builds `dir` when index.html is missing (a fresh clone); resolves when done. */
  build?: () => Promise<void>;
  /** True when the sources changed after the last build, so a checkout never serves an old console. */
  isStale?: () => boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Where `npm run build` and the broker put the console: console/dist. */
export const CONSOLE_DIST_DIR = join(here, 'dist');

/** Bundles the console into `outDir` (default console/dist) with esbuild; loaded on first use, not at import. */
export async function buildConsole(options: ConsoleBuildOptions = {}): Promise<ConsoleBuildResult> {
  const { buildConsole: build } = await import('./build.mjs');
  return build(options);
}

/** The newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * console/dist, built on first request when missing (esbuild takes about a second) and rebuilt when
 * the console's sources, or the protocol sources bundled into it, are newer than the build.
 */
export function consoleAssets(): ConsoleAssets {
  // The protocol folder as the package resolver finds it (its entry is src/index.ts).
  const protocolSrc = dirname(createRequire(import.meta.url).resolve('@touchpoint/protocol'));
  const sources = [join(here, 'src'), protocolSrc];
  return {
    dir: CONSOLE_DIST_DIR,
    isStale: () => {
      const index = join(CONSOLE_DIST_DIR, 'index.html');
      return existsSync(index) && Math.max(...sources.filter(existsSync).map(newestMtime)) > statSync(index).mtimeMs;
    },
    build: async () => {
      await buildConsole({ outDir: CONSOLE_DIST_DIR, quiet: true });
    },
  };
}
