import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { generateSignerKey, type SignerKey } from '@touchpoint/protocol/signing';

const storedKey = z.object({ keyId: z.string(), privateKeyPem: z.string(), publicKeyPem: z.string() });

/** The fleet's Ed25519 command-signing key, created on first start and kept in the data directory (mode 0600). */
export function loadOrCreateSigningKey(path: string): SignerKey {
  if (existsSync(path)) return storedKey.parse(JSON.parse(readFileSync(path, 'utf8')));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = generateSignerKey(`fleet-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`);
  writeFileSync(path, JSON.stringify(key, null, 2), { mode: 0o600 });
  return key;
}
