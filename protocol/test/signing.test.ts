import { describe, expect, it } from 'vitest';
import { ErrorCode, header, type CommandEnvelope, type UnsignedCommand } from '../src/index.js';
import { generateSignerKey, signCommand, verifyCommand } from '../src/signing.js';

const key = generateSignerKey('fleet-1');
const trusted = [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }];

function command(): UnsignedCommand {
  const now = Date.now();
  return {
    ...header(now),
    deviceId: 'cm-001',
    action: 'descale',
    params: { intensity: 2, nested: { a: [1, 2] } },
    issuedAt: now,
    expiresAt: now + 60_000,
    issuedBy: 'staff-1',
    keyId: 'fleet-1',
  };
}

describe('command signing', () => {
  it('verifies a command it signed', () => {
    const signed = signCommand(command(), key);
    expect(verifyCommand(signed, trusted)).toEqual({ ok: true, value: signed });
  });

  it('does not depend on key order', () => {
    const signed = signCommand(command(), key);
    const reordered = Object.fromEntries(Object.entries(signed).reverse()) as CommandEnvelope;
    expect(verifyCommand(reordered, trusted).ok).toBe(true);
  });

  const tamper: Record<string, (c: CommandEnvelope) => CommandEnvelope> = {
    v: (c) => ({ ...c, v: 2 as 1 }),
    id: (c) => ({ ...c, id: `${c.id}x` }),
    ts: (c) => ({ ...c, ts: c.ts + 1 }),
    deviceId: (c) => ({ ...c, deviceId: 'cm-002' }),
    action: (c) => ({ ...c, action: 'reboot' }),
    params: (c) => ({ ...c, params: { ...c.params, intensity: 3 } }),
    nestedParams: (c) => ({ ...c, params: { ...c.params, nested: { a: [1, 3] } } }),
    extraParam: (c) => ({ ...c, params: { ...c.params, force: true } }),
    issuedAt: (c) => ({ ...c, issuedAt: c.issuedAt - 1 }),
    expiresAt: (c) => ({ ...c, expiresAt: c.expiresAt + 3_600_000 }),
    issuedBy: (c) => ({ ...c, issuedBy: 'mallory' }),
    sig: (c) => {
      const bytes = Buffer.from(c.sig, 'base64');
      bytes[0] = bytes[0]! ^ 1;
      return { ...c, sig: bytes.toString('base64') };
    },
  };

  it.each(Object.keys(tamper))('rejects tampering with %s', (field) => {
    const signed = signCommand(command(), key);
    const result = verifyCommand(tamper[field]!(signed), trusted);
    expect(result).toMatchObject({ ok: false, code: ErrorCode.BAD_SIGNATURE });
  });

  it('rejects a signature by a key the device does not trust', () => {
    const rogue = generateSignerKey('fleet-1');
    const signed = signCommand(command(), rogue);
    expect(verifyCommand(signed, trusted)).toMatchObject({ ok: false, code: ErrorCode.BAD_SIGNATURE });
    const otherId = generateSignerKey('rogue');
    const signed2 = signCommand({ ...command(), keyId: 'rogue' }, otherId);
    expect(verifyCommand(signed2, trusted)).toMatchObject({ ok: false, code: ErrorCode.UNTRUSTED_KEY });
  });
});
