import { describe, expect, it } from 'vitest';
import { ErrorCode, header } from '../src/index.js';
import {
  generateSignerKey,
  KEY_LIST_KIND,
  signCommand,
  signedKeyList,
  signerRequest,
  signerResponse,
  signKeyList,
  verifyCommand,
  verifyKeyList,
  type SignedKeyList,
} from '../src/signing.js';

const root = generateSignerKey('root-1');
const roots = [{ keyId: root.keyId, publicKeyPem: root.publicKeyPem }];
const fleetA = generateSignerKey('fleet-a');
const fleetB = generateSignerKey('fleet-b');
const pub = (k: { keyId: string; publicKeyPem: string }) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem });

describe('signed key lists (issue 12 #10)', () => {
  it('verifies a list its root signed, and the list passes its own schema', () => {
    const list = signKeyList({ version: 2, keys: [pub(fleetB), { ...pub(fleetA), notAfter: 1_000 }] }, root);
    expect(signedKeyList.parse(list)).toEqual(list);
    expect(list.kind).toBe(KEY_LIST_KIND);
    expect(verifyKeyList(list, roots, 1)).toEqual({ ok: true, value: list });
  });

  it('refuses a replayed older list, and the same version again, with KEY_LIST_STALE', () => {
    const v1 = signKeyList({ version: 1, keys: [pub(fleetA)] }, root);
    const v2 = signKeyList({ version: 2, keys: [pub(fleetB)] }, root);
    expect(verifyKeyList(v2, roots, 1).ok).toBe(true);
    const replay = verifyKeyList(v1, roots, 2);
    expect(replay).toMatchObject({ ok: false, code: ErrorCode.KEY_LIST_STALE });
    expect(!replay.ok && replay.reason).toContain('key list 1 is not newer than the list 2');
    expect(verifyKeyList(v2, roots, 2)).toMatchObject({ ok: false, code: ErrorCode.KEY_LIST_STALE });
  });

  it('refuses a list signed by a key that is not a root (the command key included)', () => {
    const byCommandKey = signKeyList({ version: 9, keys: [pub(fleetA)] }, fleetA);
    expect(verifyKeyList(byCommandKey, roots, 1)).toMatchObject({ ok: false, code: ErrorCode.UNTRUSTED_KEY });
    // Claiming the root's id does not help without its private key.
    const forged = { ...byCommandKey, rootKeyId: root.keyId };
    expect(verifyKeyList(forged, roots, 1)).toMatchObject({ ok: false, code: ErrorCode.BAD_SIGNATURE });
  });

  const tamper: Record<string, (l: SignedKeyList) => SignedKeyList> = {
    version: (l) => ({ ...l, version: l.version + 100 }),
    keys: (l) => ({ ...l, keys: [...l.keys, pub(generateSignerKey('attacker'))] }),
    dropGrace: (l) => ({ ...l, keys: l.keys.map(({ notAfter: _n, ...k }) => k) }),
    issuedAt: (l) => ({ ...l, issuedAt: l.issuedAt + 1 }),
    id: (l) => ({ ...l, id: `${l.id}x` }),
  };
  for (const [field, change] of Object.entries(tamper)) {
    it(`detects a changed ${field}`, () => {
      const list = signKeyList({ version: 3, keys: [pub(fleetB), { ...pub(fleetA), notAfter: 5 }] }, root);
      expect(verifyKeyList(change(list), roots, 0)).toMatchObject({ ok: false, code: ErrorCode.BAD_SIGNATURE });
    });
  }

  it('a key list signature never passes as a command signature (domains are separate)', () => {
    const list = signKeyList({ version: 1, keys: [pub(fleetA)] }, root);
    const now = Date.now();
    const cmd = signCommand(
      {
        ...header(now),
        deviceId: 'cm-1',
        action: 'rinse',
        params: {},
        issuedAt: now,
        expiresAt: now + 1000,
        issuedBy: 's',
        keyId: root.keyId,
      },
      root,
    );
    expect(verifyCommand({ ...cmd, sig: list.sig }, roots).ok).toBe(false);
  });

  it('the schema refuses an empty list, a version below 1 and unknown fields', () => {
    const list = signKeyList({ version: 1, keys: [pub(fleetA)] }, root);
    expect(signedKeyList.safeParse({ ...list, keys: [] }).success).toBe(false);
    expect(signedKeyList.safeParse({ ...list, version: 0 }).success).toBe(false);
    expect(signedKeyList.safeParse({ ...list, extra: 1 }).success).toBe(false);
    expect(signedKeyList.safeParse({ ...list, kind: 'touchpoint.help-content.v1' }).success).toBe(false);
  });
});

describe('signer protocol schemas', () => {
  it('a sign request carries no keyId or sig (the signer picks its key), and answers are typed', () => {
    const now = Date.now();
    const command = {
      ...header(now),
      deviceId: 'cm-1',
      action: 'rinse',
      params: {},
      issuedAt: now,
      expiresAt: now + 1000,
      issuedBy: 's',
    };
    expect(signerRequest.safeParse({ op: 'sign', rid: 'r1', command }).success).toBe(true);
    expect(signerRequest.safeParse({ op: 'sign', rid: 'r1', command: { ...command, keyId: 'x' } }).success).toBe(false);
    expect(signerRequest.safeParse({ op: 'export', rid: 'r1' }).success).toBe(false);
    expect(signerResponse.safeParse({ rid: 'r1', ok: false, code: 'SIGNER_REFUSED', reason: 'no' }).success).toBe(true);
  });
});
