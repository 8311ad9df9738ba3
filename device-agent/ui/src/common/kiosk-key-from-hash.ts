import type { KioskKeyFragment } from '@touchpoint/protocol';

const FRAGMENT: KioskKeyFragment = 'k';
/** base64url of 32 bytes, as the agent makes it (protocol KIOSK_KEY_PATTERN). */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The kiosk secret in a URL fragment (`#k=<secret>`), or undefined if there is none or it is malformed. */
export function kioskKeyFromHash(hash: string): string | undefined {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get(FRAGMENT);
  return value !== null && KEY_PATTERN.test(value) ? value : undefined;
}
