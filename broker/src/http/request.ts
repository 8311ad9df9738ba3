import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ErrorCode, describeIssues } from '@touchpoint/protocol';
import type { z } from 'zod';
import { readCookie } from './cookies.js';
import { HttpError } from './errors.js';

/** Reads a JSON body up to `limit` bytes; larger bodies are refused before they are buffered. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  // Only JSON: an HTML form cannot send it cross-site without a CORS preflight.
  if (type !== 'application/json')
    throw new HttpError(ErrorCode.SCHEMA_INVALID, 'request body must be application/json', 415);
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.length === 0) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(ErrorCode.BAD_JSON, `request body is not JSON: ${(err as Error).message}`);
  }
}

/** Reads a body's bytes up to `limit`; larger bodies are refused before they are buffered (a signed body is checked on its bytes). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new HttpError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(ErrorCode.SCHEMA_INVALID, `${where}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Query parameters as a plain object; a repeated key keeps its last value. */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  return readCookie(req.headers.cookie, name);
}

/** `::ffff:192.0.2.1` and `192.0.2.1` are one client. */
function normalizeIp(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** The configured reverse proxies, normalised for `clientIp`. */
export function trustedProxySet(addresses: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((addresses ?? []).map(normalizeIp).filter((a) => a.length > 0));
}

const NO_PROXIES: ReadonlySet<string> = new Set();

/**
 * The client's address, the one place it is decided (login limits, audit).
 * X-Forwarded-For is believed only when the peer is a configured proxy
 * (`--trusted-proxy`, TP_TRUSTED_PROXIES); then the list is read from the
 * right, skipping trusted proxies, and the first other address is the client.
 * Anyone else's X-Forwarded-For is ignored, so it cannot dodge a lock
 * (issue 12, Low: behind a proxy the per-IP limit locked everyone).
 */
export function clientIp(req: IncomingMessage, trusted: ReadonlySet<string> = NO_PROXIES): string {
  const peer = normalizeIp(req.socket.remoteAddress ?? 'unknown');
  if (!trusted.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map(normalizeIp)
    .filter((a) => a.length > 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return peer; // A garbled hop: trust nothing left of it.
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}

/** A state-changing request from a page on another origin is refused even before the CSRF token is checked. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
