import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  KIOSK_KEY_FRAGMENT,
  KIOSK_KEY_PATTERN,
  KIOSK_KEY_PROTOCOL_PREFIX,
  LOCAL_UI_SUBPROTOCOL,
} from '@touchpoint/protocol';

/**
 * The per-boot kiosk secret (issue 12, Low: the touchscreen WebSocket accepted
 * clients without Origin, so any local process could drive the touchscreen).
 * The agent makes a random 256-bit secret and hands it only to the kiosk, in
 * the URL it writes to a 0600 file; the UI moves it from the fragment into the
 * WebSocket subprotocol. It is kept for the machine's boot (keyed by the
 * kernel's boot id), so an agent restarted by systemd still accepts the kiosk
 * page that is already open; after a reboot it is new.
 */

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
const KEY_FILE = 'kiosk-key.json';

/** The kernel's id of this boot, or undefined off Linux (then every agent start makes a new secret). */
export function readBootId(file = BOOT_ID_FILE): string | undefined {
  try {
    const id = readFileSync(file, 'utf8').trim();
    return id.length > 0 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The secret for this boot from `dataDir/kiosk-key.json`, or a new one written there (mode 0600). `bootId` null: no boot id, always new. */
export function loadKioskSecret(dataDir: string, bootId: string | null = readBootId() ?? null): string {
  const file = join(dataDir, KEY_FILE);
  if (bootId) {
    const stored = readStored(file);
    if (stored?.bootId === bootId) return stored.secret;
  }
  const secret = randomBytes(32).toString('base64url');
  writePrivate(file, `${JSON.stringify({ bootId: bootId ?? null, secret })}\n`);
  return secret;
}

function readStored(file: string): { bootId: string; secret: string } | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as { bootId?: unknown; secret?: unknown };
    if (typeof value.bootId === 'string' && typeof value.secret === 'string' && KIOSK_KEY_PATTERN.test(value.secret))
      return { bootId: value.bootId, secret: value.secret };
  } catch {
    // Missing or unreadable: a new secret is made.
  }
  return undefined;
}

/** Write a file only its owner can read, atomically (a reader never sees half a secret). */
export function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask never widens it, and an older file's mode does not carry over
  renameSync(tmp, file);
}

/** The URL the kiosk browser opens: the secret rides in the fragment, which the browser never sends. */
export function kioskUrl(baseUrl: string, secret: string): string {
  return `${baseUrl}/#${KIOSK_KEY_FRAGMENT}=${secret}`;
}

/** The subprotocols a client (a test, a local tool handed the kiosk URL) opens `/ws` with. */
export function kioskProtocols(secret: string): [string, string] {
  return [LOCAL_UI_SUBPROTOCOL, `${KIOSK_KEY_PROTOCOL_PREFIX}${secret}`];
}

/** The secret in a kiosk URL's fragment, or undefined. */
export function kioskSecretOf(url: string): string | undefined {
  const value = new URLSearchParams(new URL(url).hash.slice(1)).get(KIOSK_KEY_FRAGMENT) ?? undefined;
  return value !== undefined && KIOSK_KEY_PATTERN.test(value) ? value : undefined;
}

export type KioskKeyCheck = { ok: true } | { ok: false; reason: 'missing' | 'wrong' | 'no-subprotocol' };

/** Check the `Sec-WebSocket-Protocol` offer: ours must be offered, with the right secret, compared in constant time. */
export function checkKioskProtocols(header: string | undefined, secret: string): KioskKeyCheck {
  const offered = (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const key = offered.find((p) => p.startsWith(KIOSK_KEY_PROTOCOL_PREFIX));
  if (key === undefined) return { ok: false, reason: 'missing' };
  if (!sameSecret(key.slice(KIOSK_KEY_PROTOCOL_PREFIX.length), secret)) return { ok: false, reason: 'wrong' };
  if (!offered.includes(LOCAL_UI_SUBPROTOCOL)) return { ok: false, reason: 'no-subprotocol' };
  return { ok: true };
}

/** Constant-time comparison of a presented secret with ours. */
export function sameSecret(presented: string | undefined, secret: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
