import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature (docs/integrations.md#verifying-a-delivery): `v1=` and the hex HMAC-SHA256 of
 * `timestamp + "." + body`, keyed with the endpoint's secret. The timestamp is inside the signed text, so a
 * captured request cannot be sent again later with a fresh timestamp; a receiver refuses one older than its
 * tolerance. Receivers reimplement this in a few lines (Node and Python examples in the doc).
 */
export const SIGNATURE_VERSION = 'v1';

/** How old a delivery's timestamp may be before a receiver should refuse it; the doc's examples use it too. */
export const DEFAULT_TOLERANCE_S = 300;

export function signWebhook(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

export type Verdict = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/** What a receiver does: checks the timestamp's age, then the signature in constant time. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowMs = Date.now(),
  toleranceS = DEFAULT_TOLERANCE_S,
): Verdict {
  if (!headers.timestamp || !headers.signature) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, reason: 'malformed' };
  const ts = Number(headers.timestamp);
  if (Math.abs(nowMs / 1000 - ts) > toleranceS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

/** Zammad signs its webhooks as GitHub does: `X-Hub-Signature: sha1=` and the hex HMAC-SHA1 of the body. */
export function verifyHubSignature(secret: string, header: string | undefined, body: Buffer): boolean {
  if (!header) return false;
  const expected = Buffer.from(`sha1=${createHmac('sha1', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
