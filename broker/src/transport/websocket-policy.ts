import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface WebSocketPolicy {
  /** Host names (lower case, IPv6 without brackets) a browser may address us by. */
  hosts: ReadonlySet<string>;
  /** Listening on every interface: any IP literal is a fine Host (names still need the list, against DNS rebinding). */
  anyIpHost: boolean;
  /** The console's origin when configured (`publicUrl`); otherwise a browser Origin must equal the Host it addressed. */
  consoleOrigin?: string | undefined;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export function webSocketPolicy(bindHost: string, publicUrl: string | undefined): WebSocketPolicy {
  const hosts = new Set(['localhost', '127.0.0.1', '::1']);
  if (!WILDCARD_HOSTS.has(bindHost)) hosts.add(bindHost.toLowerCase());
  let consoleOrigin: string | undefined;
  if (publicUrl) {
    const url = new URL(publicUrl);
    hosts.add(url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase());
    consoleOrigin = url.origin;
  }
  return { hosts, anyIpHost: WILDCARD_HOSTS.has(bindHost), consoleOrigin };
}

function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The WebSocket upgrade check (ws `verifyClient`): the Host must be one of ours
 * (a page on an attacker's name that resolves to us, DNS rebinding, is refused),
 * and a browser's Origin must be the console's. Clients without an Origin are
 * not browsers (devices, integrations) and authenticate in CONNECT.
 */
export function checkUpgrade(
  req: IncomingMessage,
  policy: WebSocketPolicy,
): { ok: true } | { ok: false; reason: 'HOST' | 'ORIGIN' } {
  const host = typeof req.headers.host === 'string' ? hostnameOf(req.headers.host) : undefined;
  if (!host || !(policy.hosts.has(host) || (policy.anyIpHost && isIP(host) !== 0)))
    return { ok: false, reason: 'HOST' };
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true };
  const expected = policy.consoleOrigin ?? `http://${req.headers.host}`;
  return origin === expected ? { ok: true } : { ok: false, reason: 'ORIGIN' };
}
