import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { newDeviceToken } from './credentials.js';

/** The built-in service account's token (`keys/service-token`): read, or created on the first start (mode 0600). */
export function loadOrCreateServiceToken(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const token = newDeviceToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}
