import { lookup as dnsLookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './address-policy.js';

/**
 * A download the agent makes on a remote command's behalf, so it must not be a
 * way into the customer's network (issue 12 item 7):
 * - https only, and only from the configured origins (scheme, host and port);
 * - every address the name resolves to must be public (address-policy.ts);
 * - the socket connects to the address that was checked, never a second
 *   lookup (a DNS answer that changes between check and connect gains nothing);
 * - no redirects (a 3xx is a refusal), status 200 only;
 * - a byte limit and one deadline for the whole exchange.
 * A refusal says why in `detail`, for the device log only.
 */
export interface SafeFetchOptions {
  /** Allowed origins, as `new URL(x).origin` spells them. */
  origins: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  /**
   * Test seams, set only by code (tests), never from the config file: name
   * resolution, the address rule and extra CA certificates for a local https server.
   */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  addressAllowed?: (address: string) => boolean;
  ca?: string | Buffer;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type FetchRefusal =
  | 'BAD_URL'
  | 'NOT_HTTPS'
  | 'ORIGIN_NOT_ALLOWED'
  | 'RESOLVE_FAILED'
  | 'ADDRESS_NOT_ALLOWED'
  | 'REDIRECT'
  | 'HTTP_STATUS'
  | 'TOO_LARGE'
  | 'TIMEOUT'
  | 'NETWORK';

export class FetchRefused extends Error {
  constructor(
    readonly refusal: FetchRefusal,
    readonly detail: string,
  ) {
    super(`${refusal}: ${detail}`);
    this.name = 'FetchRefused';
  }
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** Resolve and check the target; returns the one address to dial. */
async function checkedAddress(hostname: string, options: SafeFetchOptions): Promise<ResolvedAddress> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.resolve ?? systemResolve)(hostname);
  } catch (err) {
    throw new FetchRefused('RESOLVE_FAILED', `cannot resolve ${hostname}: ${(err as Error).message}`);
  }
  if (addresses.length === 0) throw new FetchRefused('RESOLVE_FAILED', `${hostname} has no address`);
  const allowed = options.addressAllowed ?? isPublicAddress;
  // Every answer must pass, not just the first: a name that also resolves to 127.0.0.1 is refused outright.
  const bad = addresses.find((a) => !allowed(a.address));
  if (bad)
    throw new FetchRefused(
      'ADDRESS_NOT_ALLOWED',
      `${hostname} resolves to ${bad.address}, which is not a public address`,
    );
  return addresses[0]!;
}

/** Download `url` under the rules above; resolves with the body, rejects with FetchRefused. */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<Buffer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new FetchRefused('BAD_URL', 'not a URL');
  }
  if (target.protocol !== 'https:') throw new FetchRefused('NOT_HTTPS', `${target.protocol} is not https:`);
  if (target.username || target.password) throw new FetchRefused('BAD_URL', 'credentials in the URL');
  if (!options.origins.includes(target.origin))
    throw new FetchRefused('ORIGIN_NOT_ALLOWED', `${target.origin} is not a configured help content origin`);

  const deadline = AbortSignal.timeout(options.timeoutMs);
  const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const pinned = await Promise.race([
    checkedAddress(hostname, options),
    new Promise<never>((_, reject) =>
      deadline.addEventListener(
        'abort',
        () => reject(new FetchRefused('TIMEOUT', `resolving ${hostname} took longer than ${options.timeoutMs} ms`)),
        { once: true },
      ),
    ),
  ]);
  // The connection's own lookup answers with the checked address (no TOCTOU re-resolution).
  const lookup: LookupFunction = (_host, opts, callback) => {
    if (opts.all) (callback as unknown as (err: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Promise<Buffer>((resolve, reject) => {
    const fail = (err: FetchRefused) => {
      req.destroy();
      reject(err);
    };
    const req = request(
      {
        hostname,
        port: target.port || 443,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        headers: { accept: 'application/json', 'accept-encoding': 'identity' },
        lookup,
        agent: false,
        signal: deadline,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400)
          return fail(
            new FetchRefused(
              'REDIRECT',
              `HTTP ${status} to ${String(res.headers.location ?? '(no location)').slice(0, 200)}; redirects are not followed`,
            ),
          );
        if (status !== 200) return fail(new FetchRefused('HTTP_STATUS', `HTTP ${status}`));
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > options.maxBytes)
          return fail(new FetchRefused('TOO_LARGE', `Content-Length ${declared} exceeds ${options.maxBytes} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > options.maxBytes)
            return fail(new FetchRefused('TOO_LARGE', `body exceeds ${options.maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', (err) =>
          reject(
            deadline.aborted
              ? new FetchRefused('TIMEOUT', `no complete answer within ${options.timeoutMs} ms`)
              : new FetchRefused('NETWORK', err.message),
          ),
        );
      },
    );
    req.on('error', (err) => {
      if (deadline.aborted) reject(new FetchRefused('TIMEOUT', `no complete answer within ${options.timeoutMs} ms`));
      else reject(new FetchRefused('NETWORK', err.message));
    });
    req.end();
  });
}
