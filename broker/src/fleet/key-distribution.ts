import { deviceTopic, ErrorCode, type CommandEnvelope } from '@touchpoint/protocol';
import type { SignedKeyList, SignRequestCommand, TrustedKey } from '@touchpoint/protocol/signing';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { CommandSigner, SignerKeys } from '../signer/signer.js';
import type { Publish } from './commands.js';

/**
 * Brings the signed key list to every device (issue 12 item 10).
 *
 * - A device gets the current list whenever it subscribes to its `keys` topic,
 *   which the agent does on every connect: a device that was offline during a
 *   rotation, or provisioned later, converges as soon as it is back.
 * - A rotation (the signer reports a newer list version with a signature, or
 *   the periodic check sees it) is published to every provisioned device at
 *   QoS 1 *before* the first command under the new key, so a persistent
 *   session delivers the list ahead of that command.
 *
 * The list is signed by the root key, not by this process: the broker can
 * only forward it, never make one.
 */
export class KeyDistribution {
  private keys: SignerKeys;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly signer: CommandSigner,
    initial: SignerKeys,
    private readonly db: Db,
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {
    this.keys = initial;
  }

  /** The public half of the key that signs now. */
  current(): TrustedKey {
    return this.keys.current;
  }

  keyList(): SignedKeyList {
    return this.keys.keyList;
  }

  /** The root that signed the current list: a device config's `rootKeys`. */
  roots(): TrustedKey[] {
    return this.keys.roots;
  }

  /** Sign through the signer; a newer key list reaches the devices before the command does. */
  async sign(command: SignRequestCommand): Promise<CommandEnvelope> {
    const signed = await this.signer.sign(command);
    if (signed.keyListVersion > this.keys.keyList.version || signed.envelope.keyId !== this.keys.current.keyId)
      await this.refresh();
    return signed.envelope;
  }

  /** Ask the signer for its keys; on a newer list, publish it to every device. Concurrent callers share one refresh. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const keys = await this.signer.keys();
        const newer = keys.keyList.version > this.keys.keyList.version;
        this.keys = newer || keys.current.keyId !== this.keys.current.keyId ? keys : this.keys;
        if (newer) await this.broadcast();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** The periodic check, for rotations while no command is sent. Failures are logged, never thrown. */
  watch(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.log.warn('key list check failed', {
          code: (err as { code?: string }).code ?? ErrorCode.INTERNAL,
          reason: (err as Error).message,
        }),
      );
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** A device subscribed: when its keys topic is among the filters, it gets the current list. Never throws. */
  onSubscribe(deviceId: string, filters: readonly string[]): void {
    if (!filters.includes(deviceTopic(deviceId, 'keys'))) return;
    this.sendTo(deviceId).catch((err: unknown) =>
      this.log.warn('could not send the key list', {
        deviceId,
        code: ErrorCode.INTERNAL,
        reason: (err as Error).message,
      }),
    );
  }

  /** Publish the current list to one device (it just subscribed). */
  sendTo(deviceId: string): Promise<void> {
    return this.publish(deviceTopic(deviceId, 'keys'), JSON.stringify(this.keys.keyList), { qos: 1, retain: false });
  }

  private async broadcast(): Promise<void> {
    const ids = this.db.prepare('SELECT id FROM devices').pluck().all() as string[];
    const payload = JSON.stringify(this.keys.keyList);
    await Promise.all(ids.map((id) => this.publish(deviceTopic(id, 'keys'), payload, { qos: 1, retain: false })));
    this.log.info('published a new key list to the fleet', {
      version: this.keys.keyList.version,
      currentKey: this.keys.current.keyId,
      devices: ids.length,
    });
  }
}
