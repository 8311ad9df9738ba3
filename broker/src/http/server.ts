import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

/** A route module handles a request and returns true, or returns false to let the next one try. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** The HTTP server for the console, its API and MQTT over WebSocket. Handlers are tried in order. */
export function createHttpServer(handlers: () => readonly HttpHandler[], log: Logger): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        for (const handler of handlers()) {
          if (await handler(req, res)) return;
        }
        sendJson(res, 404, {
          error: { code: 'NOT_FOUND', message: `${req.method ?? 'GET'} ${req.url ?? '/'} is not a route` },
        });
      } catch (err) {
        log.error('HTTP handler failed', { url: req.url, code: 'INTERNAL', reason: (err as Error).message });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
        else res.destroy();
      }
    })();
  });
}

/** Liveness for load balancers, without a session: only the status. Counters are at GET /api/health (admin). */
export const healthHandler = (): HttpHandler => (req, res) => {
  if (req.method !== 'GET' || req.url !== '/healthz') return false;
  sendJson(res, 200, { ok: true });
  return true;
};
