import { z } from 'zod';

/**
 * Ids that appear inside topics (device ids, session ids) must never contain
 * MQTT wildcards or separators: '/', '+', '#' or NUL would let an id escape its
 * prefix [MQTT-4.7.1-1], [MQTT-4.7.3-2]. We allow a conservative set.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const safeId = z
  .string()
  .regex(SAFE_ID_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit');

export function isSafeId(value: string): boolean {
  return SAFE_ID_PATTERN.test(value);
}

/** A new random message id. Web Crypto exists in Node >= 20 and in browsers, so this stays I/O-free and bundles for both. */
export function newId(): string {
  return globalThis.crypto.randomUUID();
}
