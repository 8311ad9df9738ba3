import type { IncomingMessage } from 'node:http';
import type { RequestOrigin } from '../video-service.js';

/** How the console reached us; phone links use it only on a loopback broker without a public URL (phone-origin.ts). */
export function requestOrigin(req: IncomingMessage): RequestOrigin {
  return { host: req.headers.host, encrypted: (req.socket as { encrypted?: boolean }).encrypted === true };
}

/** The last call event a reconnecting stream saw (EventSource's Last-Event-ID, or `?lastEventId=`); 0 for none. */
export function lastEventId(req: IncomingMessage): number {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const raw = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? '0';
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
