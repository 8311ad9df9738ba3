import { isIP } from 'node:net';
import { ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';

/** How the broker decides the origin a phone link starts with. */
export interface PhoneOriginPolicy {
  /** The configured public URL's origin (`--public-url`, TP_PUBLIC_URL); always wins. */
  publicOrigin: string | undefined;
  /** The broker listens on a loopback address only: a local console's own origin may be used. */
  loopbackOnly: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1']);

/** 127.0.0.0/8, ::1 and `localhost`; IPv6 hosts may come with brackets. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (LOOPBACK_NAMES.has(name)) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

export function phoneOriginPolicy(listenHost: string, publicOrigin: string | undefined): PhoneOriginPolicy {
  return { publicOrigin, loopbackOnly: isLoopbackHost(listenHost) };
}

/**
 * The origin of a phone link (issue 12, Low: "the phone-link origin is taken
 * from the request's Host"). The customer scans the link off the touchscreen
 * and opens it with camera and microphone, so its origin must never come from
 * a header a client chose:
 *
 * - a configured public URL is used as it is;
 * - without one, only a broker on loopback may use the origin the console
 *   addressed, and only if that Host is itself a loopback name (a lab or demo
 *   on one machine);
 * - otherwise no link is issued (the caller counts and logs why).
 */
export function phoneOrigin(
  policy: PhoneOriginPolicy,
  request: { host: string | undefined; encrypted: boolean },
): Result<string> {
  if (policy.publicOrigin) return ok(policy.publicOrigin);
  if (!policy.loopbackOnly)
    return fail(
      ErrorCode.CONFLICT,
      'phone links need a public URL (--public-url or TP_PUBLIC_URL) when the broker listens off loopback',
    );
  const host = request.host ?? '';
  // Only a host and a port: no user info, path or anything else URL parsing would quietly accept.
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host))
    return fail(ErrorCode.SCHEMA_INVALID, 'the request has no usable Host header');
  let url: URL;
  try {
    url = new URL(`${request.encrypted ? 'https' : 'http'}://${host}`);
  } catch {
    return fail(ErrorCode.SCHEMA_INVALID, 'the request has no usable Host header');
  }
  if (!isLoopbackHost(url.hostname))
    return fail(ErrorCode.NOT_AUTHORIZED, 'without a public URL, phone links are only made for a console on loopback');
  return ok(url.origin);
}
