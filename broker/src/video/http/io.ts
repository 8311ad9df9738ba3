import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, TouchpointError, describeIssues } from '@touchpoint/protocol';
import type { z } from 'zod';
import type { Logger } from '../../logger.js';

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_JSON]: 400, [ErrorCode.SCHEMA_INVALID]: 400, [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.NOT_AUTHORIZED]: 401, [ErrorCode.FORBIDDEN_ROLE]: 403, [ErrorCode.CSRF]: 403,
  [ErrorCode.NOT_FOUND]: 404, [ErrorCode.CONFLICT]: 409, [ErrorCode.REPLAY]: 409, [ErrorCode.EXPIRED]: 410,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

/** Errors are JSON with a named code; anything that is not a TouchpointError is a 500 and logged. */
export function sendError(res: ServerResponse, err: unknown, log: Logger, status?: number): void {
  if (err instanceof TouchpointError) {
    sendJson(res, status ?? STATUS[err.code] ?? 400, { error: { code: err.code, message: err.message } });
    return;
  }
  log.error('video request failed', { code: ErrorCode.INTERNAL, reason: (err as Error).stack ?? String(err) });
  if (!res.headersSent) sendJson(res, 500, { error: { code: ErrorCode.INTERNAL, message: 'internal error' } });
  else res.destroy();
}

/** A JSON body up to `limit` bytes, validated by `schema`. */
export async function readBody<S extends z.ZodType>(req: IncomingMessage, schema: S, limit = 32 * 1024): Promise<z.output<S>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'request body must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TouchpointError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (err) {
    throw new TouchpointError(ErrorCode.BAD_JSON, `request body is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, `body: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export interface EventStream {
  send(id: number, data: unknown): void;
  onClose(fn: () => void): void;
  /** Ends the response from our side (the session ended, the phone lost its binding). */
  close(): void;
}

export interface EventStreamOptions {
  /** Asked before every event and every heartbeat: when it says no, the stream ends instead of sending. */
  stillAllowed?: () => boolean;
  /** Called once, after the stream ended because `stillAllowed` said no. */
  onRevoked?: () => void;
  heartbeatMs?: number | undefined;
  /** Where a failing check is logged; it runs from a timer, so it must never throw. */
  log?: Logger | undefined;
}

/**
 * Server-sent events: numbered so EventSource resumes with Last-Event-ID; a
 * comment every 15 s keeps proxies from closing it. A stream never outlives
 * the right to read it (issue 12, item 5): `stillAllowed` is asked before
 * every event and heartbeat.
 */
export function openEventStream(req: IncomingMessage, res: ServerResponse, options: EventStreamOptions = {}): EventStream {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  const closers: (() => void)[] = [];
  const finish = () => {
    for (const fn of closers.splice(0)) fn();
  };
  const close = () => {
    finish();
    if (!res.writableEnded) res.end();
  };
  let revoked = false;
  const failed = (what: string, err: unknown) => options.log?.error(`video event stream: ${what} failed`, { code: ErrorCode.INTERNAL, reason: (err as Error).message });
  const allowed = () => {
    if (revoked) return false;
    let ok = true;
    try {
      ok = options.stillAllowed?.() ?? true;
    } catch (err) {
      failed('the access check', err);
      ok = false; // fail closed
    }
    if (ok) return true;
    revoked = true;
    close();
    try {
      options.onRevoked?.();
    } catch (err) {
      failed('ending what the stream was for', err);
    }
    return false;
  };
  const heartbeat = setInterval(() => {
    if (allowed() && !res.writableEnded) res.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();
  closers.push(() => clearInterval(heartbeat));
  req.on('close', finish);
  return {
    send(id, data) {
      if (!res.writableEnded && allowed()) res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      closers.push(fn);
    },
    close,
  };
}

export function lastEventId(req: IncomingMessage, url: URL): number {
  const raw = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? '0';
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
