import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.js';
import { setSecurityHeaders } from './security-headers.js';
import type { HttpHandler } from './server.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface ConsoleSource {
  dir: string;
  /** Builds `dir` when index.html is missing (a fresh clone); resolves when done. */
  build?: () => Promise<void>;
  /** True when the sources changed after the last build, so a checkout never serves an old console. */
  isStale?: () => boolean;
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
 * The default console: `console/dist` of this repository, built on first
 * request when missing (esbuild takes about a second) by `console/build.mjs`.
 */
export function defaultConsoleSource(): ConsoleSource {
  const dir = new URL('../../../console/dist', import.meta.url).pathname;
  const script = new URL('../../../console/build.mjs', import.meta.url).pathname;
  if (!existsSync(script)) return { dir };
  const sources = [
    new URL('../../../console/src', import.meta.url).pathname,
    new URL('../../../protocol/src', import.meta.url).pathname,
  ];
  return {
    dir,
    isStale: () => {
      const index = join(dir, 'index.html');
      return existsSync(index) && Math.max(...sources.filter(existsSync).map(newestMtime)) > statSync(index).mtimeMs;
    },
    build: async () => {
      const mod = (await import(pathToFileURL(script).href)) as {
        buildConsole(o: { outDir: string; quiet?: boolean }): Promise<unknown>;
      };
      await mod.buildConsole({ outDir: dir, quiet: true });
    },
  };
}

function notBuilt(res: ServerResponse, reason: string): void {
  const text = `<!doctype html><meta charset="utf-8"><title>Touchpoint console not built</title>
<h1>The Touchpoint console has not been built</h1>
<p>Run <code>npm run build</code> (or <code>node console/build.mjs</code>) in the repository, then reload.</p>
<p>${reason.replace(/[<>&]/g, '')}</p>`;
  setSecurityHeaders(res, 'console');
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Serves the built console. Hashed files under /assets/ are immutable; every
 * other path that is not a file gets index.html (client-side routes). Paths
 * are resolved inside the directory only.
 */
export function consoleHandler(source: ConsoleSource, log: Logger): HttpHandler {
  const root = resolve(source.dir);
  let building: Promise<void> | undefined;
  let buildError: string | undefined;
  let checkedOnce = false;
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname.startsWith('/api/') || pathname === '/mqtt') return false;
    const index = join(root, 'index.html');
    // Checked once per broker start: a fresh clone builds, an old build is rebuilt.
    const firstRequest = !checkedOnce;
    checkedOnce = true;
    if (!existsSync(index) || (firstRequest && source.isStale?.())) {
      if (source.build && !buildError) {
        building ??= source.build().catch((err: unknown) => {
          buildError = (err as Error).message;
          log.error('console build failed', { code: 'INTERNAL', reason: buildError });
        });
        await building;
      }
      if (!existsSync(index)) {
        notBuilt(res, buildError ? `Building it on the fly failed: ${buildError}` : `Looked in ${root}.`);
        return true;
      }
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      decoded = '/';
    }
    const candidate = normalize(join(root, decoded));
    const inside = candidate.startsWith(root + sep);
    const isFile = inside && existsSync(candidate) && statSync(candidate).isFile();
    const file = isFile ? candidate : index;
    setSecurityHeaders(res, 'console');
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader(
      'cache-control',
      isFile && decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.setHeader('content-length', statSync(file).size);
    res.writeHead(200);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    createReadStream(file).pipe(res);
    return true;
  };
}
