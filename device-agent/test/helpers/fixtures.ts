import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { header, type UnsignedCommand } from '@touchpoint/protocol';
import { generateSignerKey, signCommand, type SignerKey } from '@touchpoint/protocol/signing';
import { parseConfig, type AgentConfig, type AgentConfigInput } from '../../src/config.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
/** The bundled coffee machine, from the one models registry (issue 14). */
export const COFFEE_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');
export const COFFEE_PROFILE = join(COFFEE_DIR, 'profile.json');

export async function tempDir(prefix = 'tp-agent-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export const signer: SignerKey = generateSignerKey('fleet-test');
export const rogue: SignerKey = generateSignerKey('rogue');

/** A config for unit tests; override anything. */
export function testConfig(dataDir: string, overrides: Partial<AgentConfigInput> = {}): AgentConfig {
  return parseConfig({
    deviceId: 'cm-0001',
    brokerUrl: 'mqtt://127.0.0.1:1',
    token: 'x'.repeat(43),
    serial: { path: '/dev/ttyTEST' },
    dataDir,
    trustedKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
    profile: COFFEE_PROFILE,
    diagnosticsIntervalS: 3600,
    reconnect: { minMs: 50, maxMs: 200, connectTimeoutMs: 2000 },
    localServer: { enabled: false },
    ...overrides,
  });
}

/** A command signed by `key` (the trusted signer unless given). */
export function command(fields: Partial<UnsignedCommand> = {}, key: SignerKey = signer) {
  const now = Date.now();
  const unsigned: UnsignedCommand = {
    ...header(now),
    deviceId: 'cm-0001',
    action: 'set_grind_size',
    params: { size: 7 },
    issuedAt: now,
    expiresAt: now + 60_000,
    issuedBy: 'staff-1',
    keyId: key.keyId,
    ...fields,
  };
  return signCommand(unsigned, key);
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
