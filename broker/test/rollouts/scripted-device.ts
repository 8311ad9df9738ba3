import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import {
  commandEnvelope,
  deviceTopic,
  header,
  newId,
  type CommandEnvelope,
  type CommandResultMessage,
  type DeviceEventMessage,
  type HelpTraceEntry,
  type PresenceMessage,
} from '@touchpoint/protocol';
import { helpContentSignature, verifyHelpContent } from '@touchpoint/protocol/content-signing';
import { verifyCommand, type TrustedKey } from '@touchpoint/protocol/signing';
import { connect } from '../helpers.js';

/** How the device answers a command it verified: the action's result, or a refusal with a code. */
export type Answer =
  { status: 'succeeded' } | { status: 'failed'; reason: string } | { status: 'rejected'; code: string };

export interface ScriptedDeviceOptions {
  deviceId: string;
  token: string;
  url: string;
  firmware: string;
  /** The fleet's command key: every command is verified with it (a forged one is rejected). */
  commandKeys: readonly TrustedKey[];
  /** The maker's content keys and the documents the content origin serves, by URL. */
  contentKeys: readonly TrustedKey[];
  documents: ReadonlyMap<string, Buffer>;
  /** What the device does with a verified command other than help.install (default: it succeeds). */
  answer?: (command: CommandEnvelope) => Answer | Promise<Answer>;
}

/**
 * A device of a simulated fleet, speaking the real protocol to the real broker with a real MQTT.js client
 * (the lean stand-in for an agent that a fleet of many needs on a 2-core machine): its birth carries its
 * firmware and the content version it runs, it raises errors as events, verifies every command's signature
 * (protocol/signing) and answers `accepted` then the outcome, installs help content only when the document's
 * SHA-256 matches and the maker's content signature verifies for its model (protocol/content-signing, what
 * device-agent's help.install checks), and reports help sessions as trace events.
 */
export class ScriptedDevice {
  contentVersion: string | undefined;
  readonly commands: CommandEnvelope[] = [];
  private client: MqttClient | undefined;

  constructor(private readonly o: ScriptedDeviceOptions) {}

  get id(): string {
    return this.o.deviceId;
  }

  async online(): Promise<void> {
    const id = this.o.deviceId;
    const connectionId = newId();
    const will: PresenceMessage = { ...header(), deviceId: id, state: 'offline', connectionId };
    const client = await connect(this.o.url, {
      clientId: id,
      username: id,
      password: this.o.token,
      clean: true,
      will: { topic: deviceTopic(id, 'presence'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: false },
    });
    this.client = client;
    client.on('message', (_topic, payload) => {
      void this.onCommand(payload);
    });
    await client.subscribeAsync(deviceTopic(id, 'command'), { qos: 1 });
    const birth: PresenceMessage = {
      ...header(),
      deviceId: id,
      state: 'online',
      connectionId,
      model: 'coffee-machine',
      firmwareVersion: this.o.firmware,
      ...(this.contentVersion ? { contentVersion: this.contentVersion } : {}),
    };
    await client.publishAsync(deviceTopic(id, 'presence'), JSON.stringify(birth), { qos: 1 });
  }

  /** A clean disconnect: its will is not sent, so it says offline itself first. */
  async offline(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync();
  }

  async raise(code: string): Promise<void> {
    await this.event({ type: 'error.raised', code });
  }

  async clear(code: string): Promise<void> {
    await this.event({ type: 'error.cleared', code });
  }

  /** One help session with its outcome (and a rating), as the agent's trace reports it. */
  async session(
    outcome: 'resolved' | 'escalated' | 'abandoned',
    extra: { ces?: number; action?: 'succeeded' | 'failed' } = {},
  ): Promise<void> {
    const sessionId = newId();
    const at = Date.now();
    const entries: HelpTraceEntry[] = [
      { kind: 'start', at, flowId: 'descale', flowVersion: '1', trigger: 'error', errorCode: 'E05', locale: 'en' },
    ];
    if (extra.action) entries.push({ kind: 'action', at, stepId: 'run', action: 'descale', status: extra.action });
    entries.push({
      kind: 'outcome',
      at,
      outcome,
      ...(outcome === 'resolved' ? { resolution: 'fix' as const } : {}),
      msTotal: 1000,
    });
    if (extra.ces !== undefined) entries.push({ kind: 'rating', at, ces: extra.ces, helped: outcome === 'resolved' });
    for (const entry of entries) await this.event({ type: 'help', sessionId, flowId: 'descale', entry });
  }

  private async event(event: DeviceEventMessage['event']): Promise<void> {
    const msg: DeviceEventMessage = { ...header(), deviceId: this.o.deviceId, event };
    await this.requireClient().publishAsync(deviceTopic(this.o.deviceId, 'events'), JSON.stringify(msg), { qos: 1 });
  }

  private requireClient(): MqttClient {
    if (!this.client) throw new Error(`${this.o.deviceId} is offline`);
    return this.client;
  }

  private async result(commandId: string, r: Omit<CommandResultMessage, 'v' | 'id' | 'ts' | 'deviceId' | 'commandId'>) {
    const msg: CommandResultMessage = { ...header(), deviceId: this.o.deviceId, commandId, ...r };
    await this.client?.publishAsync(deviceTopic(this.o.deviceId, 'commandResult'), JSON.stringify(msg), { qos: 1 });
  }

  private async onCommand(payload: Buffer): Promise<void> {
    const parsed = commandEnvelope.safeParse(JSON.parse(payload.toString()));
    if (!parsed.success) return;
    const command = parsed.data;
    const verified = verifyCommand(command, this.o.commandKeys);
    if (!verified.ok || command.deviceId !== this.o.deviceId) {
      await this.result(command.id, { status: 'rejected', code: verified.ok ? 'WRONG_DEVICE' : verified.code });
      return;
    }
    if (this.commands.some((c) => c.id === command.id)) return; // replay: runs once
    this.commands.push(command);
    await this.result(command.id, { status: 'accepted' });
    const answer =
      command.action === 'help.install'
        ? this.install(command)
        : await (this.o.answer?.(command) ?? { status: 'succeeded' });
    if (answer.status === 'rejected') await this.result(command.id, { status: 'rejected', code: answer.code });
    else if (answer.status === 'failed') await this.result(command.id, { status: 'failed', reason: answer.reason });
    else await this.result(command.id, { status: 'succeeded' });
  }

  /** help.install's checks: the bytes by their SHA-256, then the maker's signature for this model. */
  private install(command: CommandEnvelope): Answer {
    const { url, sha256 } = command.params as { url: string; sha256: string };
    const bytes = this.o.documents.get(url);
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== sha256)
      return { status: 'failed', reason: 'help content was not installed' };
    const doc = JSON.parse(bytes.toString()) as {
      flows: Record<string, unknown>;
      images: Record<string, string>;
      signature: unknown;
    };
    const signature = helpContentSignature.parse(doc.signature);
    const ok = verifyHelpContent(
      { flows: doc.flows, images: doc.images },
      signature,
      this.o.contentKeys,
      'coffee-machine',
    );
    if (!ok.ok) return { status: 'failed', reason: 'help content was not installed' };
    this.contentVersion = sha256;
    return { status: 'succeeded' };
  }
}
