import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The receiver side of a Touchpoint webhook, exactly as docs/integrations.md#verifying-a-delivery shows it for
 * Node, so the tests prove the documented code: the timestamp is fresh (5 minutes), and the signature is the
 * HMAC-SHA256 of `timestamp + "." + rawBody` with the endpoint's secret, compared in constant time.
 */
export function verifyTouchpointWebhook(
  secret: string,
  rawBody: string,
  timestamp: string | undefined,
  signature: string | undefined,
  nowS = Math.floor(Date.now() / 1000),
): 'ok' | 'missing' | 'stale' | 'bad-signature' {
  if (!timestamp || !signature) return 'missing';
  if (!/^\d+$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > 300) return 'stale';
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'bad-signature';
}
