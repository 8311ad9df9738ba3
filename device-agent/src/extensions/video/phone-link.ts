import { ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';

/** Which phone links the touchscreen may show as a QR code. */
export interface PhoneLinkPolicy {
  /** The exact origin links must have (config `video.phoneOrigin`), e.g. https://support.example.com. */
  origin?: string | undefined;
  /** Without a configured origin: links must point at the broker's own host name (any port). */
  host: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const isLoopback = (hostname: string) => LOOPBACK.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
/** What the broker's video phone page answers: /v/<token>, nothing else. */
const LINK_PATH = /^\/v\/[A-Za-z0-9_-]{16,128}$/;
/** The phone as a touchpoint (issue 17): /p/<token>. */
export const ACCESS_LINK_PATH = /^\/p\/[A-Za-z0-9_-]{16,128}$/;

/** The policy from the config: a configured origin, or the broker's host from `brokerUrl` (mqtt[s]://host:port). */
export function phoneLinkPolicy(brokerUrl: string, configuredOrigin?: string): PhoneLinkPolicy {
  const host = new URL(brokerUrl.replace(/^mqtts?:/, 'http:')).hostname.toLowerCase();
  return { host, ...(configuredOrigin ? { origin: new URL(configuredOrigin).origin } : {}) };
}

/**
 * Checks a phone link before the touchscreen shows it (issue 12, Low: "the
 * device shows only https (or loopback http) links of a pinned origin"). The
 * customer scans it and opens it with camera and microphone, so a link
 * pointing anywhere else (a rogue publisher on the down topic, a broker
 * misconfigured to trust a Host header) is refused here. Pure, so each rule
 * is unit-tested.
 */
export function checkPhoneLink(policy: PhoneLinkPolicy, link: string, path: RegExp = LINK_PATH): Result<string> {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return fail(ErrorCode.SCHEMA_INVALID, 'the phone link is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname)))
    return fail(ErrorCode.NOT_AUTHORIZED, `phone links must be https (or http on loopback), got ${url.protocol}`);
  if (url.username || url.password || url.search || url.hash || !path.test(url.pathname))
    return fail(ErrorCode.SCHEMA_INVALID, `the phone link is not a ${path === LINK_PATH ? '/v/' : '/p/'}<token> link`);
  if (policy.origin ? url.origin !== policy.origin : url.hostname !== policy.host) {
    return fail(
      ErrorCode.NOT_AUTHORIZED,
      `the phone link points at ${url.origin}, not at ${policy.origin ?? policy.host}`,
    );
  }
  return ok(url.href);
}
