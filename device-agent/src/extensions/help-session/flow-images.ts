import { extname } from 'node:path';
import type { HttpHandler } from '../../local-server/local-server.js';
import { FLOW_IMAGE_CSP } from '../../local-server/security-headers.js';
import { serveStatic } from '../../local-server/static-files.js';

/** Images ship with the flows and are served from the flows folder only; nothing is ever fetched from outside. */
export const FLOW_IMAGE_PATH = '/api/help/image';
const IMAGE_TYPES = new Set(['.svg', '.png', '.jpg', '.webp']);

/** The URL the UI loads a flow image from (`images/descale.svg` -> `/api/help/image?path=images%2Fdescale.svg`). */
export function flowImageUrl(relativePath: string): string {
  return `${FLOW_IMAGE_PATH}?path=${encodeURIComponent(relativePath)}`;
}

/** `flowsDir` is read per request: installed help content can replace the flows while the agent runs. */
export function flowImageHandler(flowsDir: () => string): HttpHandler {
  return async (req, res, url) => {
    // Installed content is not ours: an SVG opened on the UI origin must not run script or load anything (issue 12, item 7).
    res.setHeader('content-security-policy', FLOW_IMAGE_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    const path = url.searchParams.get('path') ?? '';
    const served =
      IMAGE_TYPES.has(extname(path).toLowerCase()) &&
      (await serveStatic(flowsDir(), `/${path}`, res, req.method === 'HEAD'));
    if (!served) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ code: 'NOT_FOUND', message: 'no such flow image' }));
    }
  };
}
