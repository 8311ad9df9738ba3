import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ConsoleAssets } from '@touchpoint/console/assets';
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
 * Serves the built console: the console workspace's assets (`consoleAssets()`), or a folder
 * of a built console (`consoleDir`), which is never rebuilt. Hashed files under /assets/ are immutable; every
 * other path that is not a file gets index.html (client-side routes). Paths
 * are resolved inside the directory only.
 */
export function consoleHandler(source: ConsoleAssets, log: Logger): HttpHandler {
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
