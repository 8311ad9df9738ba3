import {
  commandEnvelope,
  decode,
  deviceTopic,
  ErrorCode,
  evaluateConditionSource,
  type ActionSpec,
  type CommandEnvelope,
  type DeviceProfile,
} from '@touchpoint/protocol';
import { signedKeyList, type TrustedKey } from '@touchpoint/protocol/signing';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import type { McuLink } from '../mcu-link.js';
import type { AgentActionRegistry } from './agent-actions.js';
import { askCustomer } from './customer-consent.js';
import { KeyTrust } from './key-trust.js';
import { ReplayStore, type SeenStatus } from './replay-store.js';
import { checkActionAndParams, checkAuthenticity, isRejection, type Rejection } from './verify.js';

export interface CommandOptions {
  deviceId: string;
  profile: DeviceProfile;
  /** Trusted until a signed key list replaces them (issue 12 #10). */
  trustedKeys: readonly TrustedKey[];
  /** Keys whose signed key lists this device accepts; none: the trusted keys never change. */
  rootKeys?: readonly TrustedKey[];
  clockSkewMs: number;
  replay: ReplayStore;
  mcu: McuLink;
  actions: AgentActionRegistry;
  reporter: Reporter;
  connection: MqttConnection;
  bus: EventBus<AgentEvents>;
  logger: Logger;
  now?: () => number;
  /** How long a command for an action that needs the customer waits for their tap (issue 16); default 2 minutes. */
  customerWaitMs?: number;
}

export const DEFAULT_CUSTOMER_WAIT_MS = 120_000;

const MAX_REASON = 512;
const clip = (text: string): string => (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text);

/**
 * Signed remote commands. Checks 1-4 (signature, device, expiry, replay) run
 * before the command's PUBACK, so by the time the broker forgets the message
 * its id is on disk. Checks 5-7 (allow-list, params, precondition) and the run
 * itself go through a queue, one command at a time, so a precondition is
 * evaluated against the state the action will actually meet.
 *
 * A second delivery of an id already seen gets `rejected` REPLAY, naming the
 * first outcome in `reason`; it never runs again.
 */
export class CommandExtension extends ExtensionBase {
  readonly name = 'commands';
  private queue: Promise<void> = Promise.resolve();
  private stopped = true;
  private readonly now: () => number;
  private readonly trust: KeyTrust;
  /** Ends a wait for the customer when the agent stops. */
  private stopping = new AbortController();

  constructor(private readonly options: CommandOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.trust = new KeyTrust(options.trustedKeys, options.rootKeys ?? [], options.replay, options.logger);
  }

  /** The version of the signed key list this device holds (0: none yet, the config's keys). */
  get keyListVersion(): number {
    return this.trust.version;
  }

  protected onStart(context: ExtensionContext): void {
    this.stopped = false;
    this.stopping = new AbortController();
    const { replay, reporter, logger, clockSkewMs } = this.options;
    const pruned = replay.prune(this.now(), clockSkewMs);
    if (pruned > 0) logger.debug('forgot expired command ids', { pruned });
    // A command that a previous run claimed or accepted but never finished: say so, do not run it again.
    for (const seen of replay.unfinished()) {
      const reason = 'interrupted: the agent stopped before the command finished';
      reporter.result({ commandId: seen.commandId, status: 'failed', code: ErrorCode.ACTION_FAILED, reason });
      replay.update(seen.commandId, 'failed', reason, this.now());
      logger.warn('command interrupted by an agent restart', { commandId: seen.commandId, action: seen.action });
    }
    // The key list first: the broker sends it on this subscription, ahead of commands under a new key.
    const { connection, deviceId } = this.options;
    if (this.trust.rotates)
      context.subscribe(connection, deviceTopic(deviceId, 'keys'), 1, (_topic: string, payload: Buffer) =>
        this.receiveKeyList(payload),
      );
    context.subscribe(connection, deviceTopic(deviceId, 'command'), 1, (_topic: string, payload: Buffer) =>
      this.receive(payload),
    );
  }

  /** A signed key list (issue 12 #10): in force once verified and on disk; a stale or forged one is logged and changes nothing. */
  receiveKeyList(payload: Buffer | string): Promise<void> {
    const { logger } = this.options;
    const held = this.trust.version;
    const accepted = this.trust.accept(payload);
    if (accepted.ok) {
      logger.info('key list accepted', {
        version: accepted.value.version,
        keys: accepted.value.keys.map((k) => k.keyId),
      });
    } else if (accepted.code === ErrorCode.KEY_LIST_STALE && sameVersion(payload, held)) {
      // The broker re-sends the current list on every connect: the same version again is normal.
      logger.debug('key list already held', { version: held });
    } else {
      logger.warn('key list refused', { code: accepted.code, reason: accepted.reason });
    }
    return Promise.resolve();
  }

  protected override async onStop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.queue;
  }

  /** Resolves when every command received so far has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Handle one delivery. Resolves once checks 1-4 are done and recorded (the MQTT layer then sends PUBACK). */
  receive(payload: Buffer | string): Promise<void> {
    const { logger, replay } = this.options;
    const decoded = decode(commandEnvelope, payload);
    if (!decoded.ok) {
      logger.warn('command refused: not a valid envelope', { code: decoded.code, reason: decoded.reason });
      const id = idOf(payload);
      if (id) this.reject(id, { code: ErrorCode.SCHEMA_INVALID, reason: clip(decoded.reason) }, false);
      return Promise.resolve();
    }
    const command = decoded.value;
    const now = this.now();
    const failed = checkAuthenticity(command, this.trust, this.options.deviceId, now, this.options.clockSkewMs);
    if (failed) {
      this.reject(command.id, failed, false);
      return Promise.resolve();
    }
    if (!replay.claim(command.id, command.action, command.expiresAt, now)) {
      const first = replay.get(command.id);
      const outcome = first
        ? `first seen ${new Date(first.seenAt).toISOString()}, outcome ${first.status}${first.reason ? `: ${first.reason}` : ''}`
        : 'seen before';
      this.reject(
        command.id,
        { code: ErrorCode.REPLAY, reason: clip(`command ${command.id} was already received (${outcome})`) },
        false,
      );
      return Promise.resolve();
    }
    this.queue = this.queue.then(() => this.execute(command));
    return Promise.resolve();
  }

  private async execute(command: CommandEnvelope): Promise<void> {
    const { logger, replay, reporter } = this.options;
    if (this.stopped) return; // left 'claimed': the next start reports it as interrupted
    try {
      const checked = checkActionAndParams(command, this.options.profile);
      if (isRejection(checked)) return this.reject(command.id, checked, true);
      let precondition = await this.checkPrecondition(checked.action);
      if (precondition) return this.reject(command.id, precondition, true);
      if (checked.action.needsCustomer) {
        const refused = await this.waitForCustomer(command);
        if (refused === 'stopped') return; // left 'claimed': the next start reports it as interrupted
        if (refused) return this.reject(command.id, refused, true);
        // The customer may have answered minutes later: check again against the state the action will meet.
        precondition = await this.checkPrecondition(checked.action);
        if (precondition) return this.reject(command.id, precondition, true);
      }

      reporter.result({ commandId: command.id, status: 'accepted' });
      replay.update(command.id, 'accepted', null, this.now());
      this.options.bus.emit('command.accepted', {
        commandId: command.id,
        action: command.action,
        ...(command.issuer ? { issuer: command.issuer } : {}),
      });
      logger.info('command accepted', { commandId: command.id, action: command.action, issuedBy: command.issuedBy });

      const outcome = await this.run(command, checked.action, checked.params);
      if (outcome.ok) {
        reporter.result({
          commandId: command.id,
          status: 'succeeded',
          ...(outcome.output ? { output: outcome.output } : {}),
        });
        this.finish(command.id, 'succeeded', null);
        logger.info('command succeeded', { commandId: command.id, action: command.action });
      } else {
        const reason = clip(outcome.reason);
        reporter.result({ commandId: command.id, status: 'failed', code: outcome.code, reason });
        this.finish(command.id, 'failed', reason);
        logger.warn('command failed', { commandId: command.id, action: command.action, code: outcome.code, reason });
      }
    } catch (err) {
      const reason = clip(`internal error: ${(err as Error).message}`);
      logger.error('command handling failed', {
        code: ErrorCode.INTERNAL,
        commandId: command.id,
        error: (err as Error).message,
      });
      reporter.result({ commandId: command.id, status: 'failed', code: ErrorCode.INTERNAL, reason });
      this.finish(command.id, 'failed', reason);
    }
  }

  /**
   * An action that needs the customer runs only after their "Allow" (or while they allow remote control),
   * within the wait and before the command expires (issue 16).
   */
  private async waitForCustomer(command: CommandEnvelope): Promise<Rejection | 'stopped' | undefined> {
    const now = this.now();
    const untilExpiry = command.expiresAt - now; // expiry is strict (verify.ts): never run after it
    const waitMs = Math.max(0, Math.min(this.options.customerWaitMs ?? DEFAULT_CUSTOMER_WAIT_MS, untilExpiry));
    this.options.logger.info('command waits for the customer', {
      commandId: command.id,
      action: command.action,
      waitMs,
    });
    const outcome = await askCustomer(
      this.options.bus,
      { commandId: command.id, action: command.action, waitMs, now, issuer: command.issuer },
      this.stopping.signal,
    );
    switch (outcome) {
      case 'allowed':
        return undefined;
      case 'stopped':
        return 'stopped';
      case 'declined':
        return { code: ErrorCode.CUSTOMER_DECLINED, reason: 'the customer declined on the device' };
      case 'no-answer':
        return {
          code: ErrorCode.CUSTOMER_NO_ANSWER,
          reason: `nobody answered on the device within ${Math.round(waitMs / 1000)} s`,
        };
    }
  }

  /** Check 7: the action's CEL precondition over the MCU's live sensors and errors. */
  private async checkPrecondition(action: ActionSpec): Promise<Rejection | undefined> {
    if (!action.precondition) return undefined;
    const { mcu } = this.options;
    if (mcu.link !== 'up')
      return {
        code: ErrorCode.PRECONDITION_FAILED,
        reason: `cannot check "${action.precondition}": the MCU link is ${mcu.link}`,
      };
    let sensors;
    let errors;
    try {
      [sensors, errors] = await Promise.all([mcu.bridge.readSensors(), mcu.bridge.readErrors()]);
    } catch (err) {
      return {
        code: ErrorCode.PRECONDITION_FAILED,
        reason: clip(`cannot check "${action.precondition}": ${(err as Error).message}`),
      };
    }
    const result = evaluateConditionSource(action.precondition, { sensors, errors });
    if (!result.ok)
      return {
        code: ErrorCode.PRECONDITION_FAILED,
        reason: clip(`precondition "${action.precondition}" could not be evaluated: ${result.reason}`),
      };
    if (!result.value)
      return {
        code: ErrorCode.PRECONDITION_FAILED,
        reason: clip(`precondition "${action.precondition}" does not hold`),
      };
    return undefined;
  }

  private async run(
    command: CommandEnvelope,
    action: ActionSpec,
    params: Record<string, unknown>,
  ): Promise<{ ok: true; output?: Record<string, unknown> } | { ok: false; code: string; reason: string }> {
    const { mcu, actions, bus } = this.options;
    if (action.target === 'agent') {
      const handler = actions.get(action.name);
      if (!handler)
        return { ok: false, code: ErrorCode.ACTION_FAILED, reason: `this agent has no handler for ${action.name}` };
      try {
        const output = await handler(params, { commandId: command.id, issuedBy: command.issuedBy });
        return output ? { ok: true, output } : { ok: true };
      } catch (err) {
        return { ok: false, code: ErrorCode.ACTION_FAILED, reason: (err as Error).message };
      }
    }
    if (mcu.link !== 'up') return { ok: false, code: ErrorCode.LINK_DOWN, reason: `the MCU link is ${mcu.link}` };
    try {
      const result = await mcu.bridge.runAction(action.name, params, {
        onProgress: (progress) =>
          bus.emit('command.progress', {
            commandId: command.id,
            action: action.name,
            percent: progress.percent,
            ...(progress.message ? { message: progress.message } : {}),
          }),
      });
      if (result.ok) return result.output ? { ok: true, output: result.output } : { ok: true };
      return { ok: false, code: ErrorCode.ACTION_FAILED, reason: result.reason ?? 'the MCU reported failure' };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return {
        ok: false,
        code: typeof code === 'string' ? code.slice(0, 32) : ErrorCode.MCU_ERROR,
        reason: (err as Error).message,
      };
    }
  }

  private reject(commandId: string, rejection: Rejection, claimed: boolean): void {
    const { reporter, logger } = this.options;
    const status = rejection.code === ErrorCode.EXPIRED ? 'expired' : 'rejected';
    reporter.result({ commandId, status, code: rejection.code, reason: clip(rejection.reason) });
    if (claimed) this.finish(commandId, status, rejection.reason);
    logger.warn(`command ${status}`, { code: rejection.code, commandId, reason: rejection.reason });
  }

  private finish(commandId: string, status: SeenStatus, reason: string | null): void {
    this.options.replay.update(commandId, status, reason === null ? null : clip(reason), this.now());
  }
}

function sameVersion(payload: Buffer | string, held: number): boolean {
  const list = decode(signedKeyList, payload);
  return list.ok && list.value.version === held;
}

/** The id of a message that failed its schema, if it has a usable one, so the sender still learns the outcome. */
function idOf(payload: Buffer | string): string | undefined {
  try {
    const value: unknown = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    const id = (value as { id?: unknown }).id;
    return typeof id === 'string' && id.length >= 1 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}
