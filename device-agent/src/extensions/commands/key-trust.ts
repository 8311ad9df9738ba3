import { z } from 'zod';
import { decode, ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';
import { signedKeyList, verifyKeyList, type SignedKeyList, type TrustedKey } from '@touchpoint/protocol/signing';
import type { Logger } from '../../logger.js';

/** Where the accepted list survives a restart (ReplayStore keeps it in the agent database). */
export interface KeyStateStore {
  loadKeyState(): string | undefined;
  saveKeyState(json: string): void;
}

const storedState = z.strictObject({
  list: signedKeyList,
  /** Key ids a newer list dropped: their commands are refused with KEY_REVOKED, not a bare UNTRUSTED_KEY. */
  revoked: z.array(z.string().max(64)).max(256),
});

const MAX_REVOKED = 256;

/**
 * The command keys this device trusts (issue 12 item 10).
 *
 * Until a signed key list arrives, the config's `trustedKeys` are trusted.
 * A list signed by one of the config's `rootKeys` and newer than the one held
 * replaces that set: a key it leaves out is no longer trusted, a key past its
 * `notAfter` (the end of a rotation's grace) is no longer trusted, and an
 * older list (a replay) is refused with KEY_LIST_STALE. The accepted list is
 * committed to disk before it takes effect, so a restart cannot roll it back.
 */
export class KeyTrust {
  private list: SignedKeyList | undefined;
  private revoked = new Set<string>();
  /** The version of a stored list that no configured root verifies any more: nothing older is accepted either. */
  private floor = 0;

  constructor(
    private readonly configKeys: readonly TrustedKey[],
    private readonly rootKeys: readonly TrustedKey[],
    private readonly store: KeyStateStore,
    private readonly logger: Logger,
  ) {
    this.restore();
  }

  /** True when this device can accept key lists at all (it has a root key). */
  get rotates(): boolean {
    return this.rootKeys.length > 0;
  }

  /** The version of the list held; 0 before any. */
  get version(): number {
    return this.list?.version ?? this.floor;
  }

  /** The keys a command may be signed with at `now`. */
  trustedAt(now: number): readonly TrustedKey[] {
    if (!this.list) return this.configKeys;
    return this.list.keys
      .filter((k) => k.notAfter === undefined || now <= k.notAfter)
      .map((k) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem }));
  }

  /** Why a key is not trusted any more, when it once was; undefined for a key this device never trusted. */
  revocation(keyId: string, now: number): string | undefined {
    if (this.revoked.has(keyId)) return `key ${keyId} was dropped by key list ${this.version}`;
    const listed = this.list?.keys.find((k) => k.keyId === keyId);
    if (listed?.notAfter !== undefined && now > listed.notAfter)
      return `key ${keyId} was retired at ${new Date(listed.notAfter).toISOString()} (key list ${this.version})`;
    return undefined;
  }

  /** A key list from the broker: verified, persisted, then in force. Errors are values; nothing throws. */
  accept(payload: Buffer | string): Result<SignedKeyList> {
    if (!this.rotates)
      return fail(ErrorCode.UNTRUSTED_KEY, 'this device has no rootKeys configured, so it cannot accept key lists');
    const decoded = decode(signedKeyList, payload);
    if (!decoded.ok) return decoded;
    const verified = verifyKeyList(decoded.value, this.rootKeys, this.version);
    if (!verified.ok) return verified;
    const list = verified.value;
    const before = this.list ? this.list.keys.map((k) => k.keyId) : this.configKeys.map((k) => k.keyId);
    const now = new Set(list.keys.map((k) => k.keyId));
    const revoked = new Set([...this.revoked, ...before.filter((id) => !now.has(id))].filter((id) => !now.has(id)));
    const kept = [...revoked].slice(-MAX_REVOKED);
    this.store.saveKeyState(JSON.stringify({ list, revoked: kept }));
    this.list = list;
    this.revoked = new Set(kept);
    return ok(list);
  }

  private restore(): void {
    const text = this.store.loadKeyState();
    if (text === undefined) return;
    const state = decode(storedState, text);
    if (!state.ok) {
      this.logger.error('stored key list is unreadable; trusting the config keys until a new list arrives', {
        code: state.code,
        reason: state.reason,
      });
      return;
    }
    // Re-verified at every start: a config whose rootKeys changed must not keep a list the new root never signed.
    const verified = verifyKeyList(state.value.list, this.rootKeys, 0);
    if (!verified.ok) {
      this.logger.error(
        'stored key list does not verify against the configured rootKeys; trusting the config keys until a new list arrives',
        { code: verified.code, reason: verified.reason },
      );
      this.floor = state.value.list.version;
      this.revoked = new Set(state.value.revoked);
      return;
    }
    this.list = verified.value;
    this.revoked = new Set(state.value.revoked);
  }
}
