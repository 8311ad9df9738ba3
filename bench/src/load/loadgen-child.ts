import { randomBytes } from 'node:crypto';
import { commandEnvelope, decode, deviceTopic, header, type CommandEnvelope } from '@touchpoint/protocol';
import { signCommand, verifyCommand, type SignerKey, type TrustedKey } from '@touchpoint/protocol/signing';
import { wallNow, waitFor } from '../clock.js';
import { serve } from '../ipc.js';
import { apiRun } from './api-driver.js';
import { LiteClient } from './lite-client.js';
import {
  PacketScanner,
  PacketType,
  encodeConnect,
  encodePuback,
  encodeSubscribe,
  publishPacketId,
} from './mqtt-wire.js';
import { runOpenLoop } from './open-loop.js';
import { startAckSink, type AckSink } from './ack-sink.js';
import { pacedIngest, type PacedParams } from './paced-ingest.js';
import { DiagnosticsTemplate, assertPayloadsValid, commandResult, presence, presenceTopic } from './payloads.js';
import { connect as netConnect, type Socket } from 'node:net';
import type {
  ConnectParams,
  ConnectResult,
  ConsoleRunParams,
  ConsoleRunResult,
  IngestStartParams,
  IngestStopResult,
  SubscriberParams,
  Sample,
  AgentStats,
} from './loadgen-protocol.js';

/**
 * A load-generator process. It holds simulated devices (each its own socket and
 * credential) and plays one of: device fleet (connect, presence, ingest load,
 * stub agent answering commands), counting subscriber, or command console for
 * the baseline relay. The harness spreads devices over several of these,
 * because one process may open at most 20,000 files here.
 */

/** Devices by group (one group per broker under test), so several brokers can keep their fleets at once. */
const groups = new Map<string, Map<string, LiteClient>>();
const group = (name = 'default') => {
  let g = groups.get(name);
  if (!g) groups.set(name, (g = new Map()));
  return g;
};
const agentStats: AgentStats = { commands: 0, verified: 0, rejected: 0, resultsSent: 0 };

function stubAgent(deviceId: string, client: LiteClient, trusted: readonly TrustedKey[]): void {
  const commandTopic = deviceTopic(deviceId, 'command');
  const resultTopic = deviceTopic(deviceId, 'commandResult');
  const seen = new Set<string>();
  client.onPublish = (msg) => {
    if (msg.topic !== commandTopic) return;
    agentStats.commands++;
    // What the real agent checks first: schema, signature, device id, replay.
    const env = decode(commandEnvelope, msg.payload);
    if (!env.ok) {
      agentStats.rejected++;
      return;
    }
    const verified = verifyCommand(env.value, trusted);
    if (!verified.ok || env.value.deviceId !== deviceId || seen.has(env.value.id)) {
      agentStats.rejected++;
      void client.publish(resultTopic, commandResult(deviceId, env.value.id, 'rejected'), 1);
      return;
    }
    seen.add(env.value.id);
    agentStats.verified++;
    // The stub MCU handler succeeds at once; both outcomes go up at QoS 1, as the agent's outbox sends them.
    void client.publish(resultTopic, commandResult(deviceId, env.value.id, 'accepted'), 1);
    void client.publish(resultTopic, commandResult(deviceId, env.value.id, 'succeeded'), 1);
    agentStats.resultsSent += 2;
  };
}

async function connectDevices(p: ConnectParams): Promise<ConnectResult> {
  if (p.devices[0]) assertPayloadsValid(p.devices[0].id);
  const devices = group(p.group);
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const startedAt = wallNow();
  const deadline = p.budgetMs === undefined ? Number.POSITIVE_INFINITY : startedAt + p.budgetMs;
  const worker = async () => {
    while (next < p.devices.length && wallNow() < deadline) {
      const d = p.devices[next++]!;
      const connectionId = randomBytes(6).toString('hex');
      try {
        const client = await LiteClient.connect({
          host: p.host,
          port: p.port,
          clientId: d.id,
          keepalive: p.keepaliveS,
          ...(d.token ? { username: d.id, password: d.token } : {}),
          ...(p.presence
            ? {
                will: {
                  topic: presenceTopic(d.id),
                  payload: presence(d.id, 'offline', connectionId),
                  qos: 1,
                  retain: p.retainPresence,
                },
              }
            : {}),
        });
        devices.set(d.id, client);
        if (p.agent) stubAgent(d.id, client, p.agent.trusted);
        if (p.subscribe) {
          const granted = await client.subscribe(deviceTopic(d.id, 'command'), 1);
          if (granted > 1) throw new Error(`subscription refused for ${d.id}`);
        }
        if (p.presence)
          await client.publish(presenceTopic(d.id), presence(d.id, 'online', connectionId), 1, p.retainPresence);
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, p.concurrency) }, worker));
  const notAttempted = p.devices.length - next;
  return { connected: next - failed, failed, notAttempted, errors, startedAt, finishedAt: wallNow() };
}

let ingest: { running: boolean; sent: number; acked: number; clients: LiteClient[] } | undefined;

function ingestStart(p: IngestStartParams): void {
  const state = { running: true, sent: 0, acked: 0, clients: [...group(p.group).values()] };
  ingest = state;
  const runTag = `${p.runTag}${randomBytes(2).toString('hex')}`;
  for (const client of state.clients) {
    const tpl = new DiagnosticsTemplate(client.clientId, runTag);
    if (p.qos === 1) {
      const onAck = () => {
        state.acked++;
        if (state.running) pump();
      };
      const pump = () => {
        while (state.running && client.inflight < p.window && !client.isClosed) {
          client.publishRaw(tpl.topic, tpl.next(), 1, false, onAck);
          state.sent++;
        }
      };
      pump();
    } else {
      // QoS 0 has no acknowledgement to pace on: two half-window batches, each closed by a PINGREQ;
      // a PINGRESP means the broker has read that batch, and the next one goes.
      const batch = Math.max(1, Math.floor(p.window / 2));
      const sendBatch = () => {
        if (!state.running || client.isClosed) return;
        client.socket.cork();
        for (let i = 0; i < batch; i++) client.publishRaw(tpl.topic, tpl.next(), 0);
        state.sent += batch;
        state.acked += batch;
        client.ping(sendBatch);
        client.socket.uncork();
      };
      sendBatch();
      sendBatch();
    }
  }
}

async function ingestStop(p: { settleMs: number }): Promise<IngestStopResult> {
  const state = ingest;
  if (!state) return { sent: 0, acked: 0, unacked: 0 };
  state.running = false;
  await waitFor(() => state.clients.every((c) => c.inflight === 0 || c.isClosed), p.settleMs, 20);
  const unacked = state.clients.reduce((n, c) => n + c.inflight, 0);
  ingest = undefined;
  return { sent: state.sent, acked: state.acked, unacked };
}

/**
 * One wildcard subscriber that counts PUBLISH packets and acknowledges QoS 1
 * without decoding payloads: the cheapest possible consumer, so the baselines
 * are limited by the broker, not by their reader.
 */
let subscriber: { socket: Socket; count: number } | undefined;

function startSubscriber(p: SubscriberParams): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: p.host, port: p.port });
    socket.setNoDelay(true);
    const state = { socket, count: 0 };
    subscriber = state;
    const scanner = new PacketScanner();
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      const acks: Buffer[] = [];
      scanner.push(chunk, (type, flags, body) => {
        if (type === PacketType.PUBLISH) {
          state.count++;
          if ((flags & 0x06) !== 0) acks.push(encodePuback(publishPacketId(body)));
        } else if (type === PacketType.CONNACK) {
          if (body[1] !== 0) reject(new Error(`subscriber refused: CONNACK ${body[1]}`));
          else socket.write(encodeSubscribe(1, p.filter, p.qos));
        } else if (type === PacketType.SUBACK) {
          resolve();
        }
      });
      if (acks.length) socket.write(acks.length === 1 ? acks[0]! : Buffer.concat(acks));
    });
    socket.write(
      encodeConnect({
        clientId: p.clientId,
        keepalive: 0,
        ...(p.username ? { username: p.username, password: p.password ?? '' } : {}),
      }),
    );
  });
}

/** The baseline's command console: signs like the fleet service, publishes to a device, waits for `succeeded`. */
let consoleClient: LiteClient | undefined;
const consolePending = new Map<string, number>();
const consoleLatencies: number[] = [];
let consoleMeasureFrom = 0;
let consoleSucceeded = 0;

async function consoleStart(p: { host: string; port: number }): Promise<void> {
  consoleClient = await LiteClient.connect({ host: p.host, port: p.port, clientId: 'bench-console', keepalive: 60 });
  consoleClient.onPublish = (msg) => {
    if (!msg.topic.endsWith('/cmd/res')) return;
    const r = JSON.parse(msg.payload.toString()) as { commandId: string; status: string };
    if (r.status !== 'succeeded') return;
    const at = wallNow();
    const scheduledAt = consolePending.get(r.commandId);
    if (scheduledAt === undefined) return;
    consolePending.delete(r.commandId);
    consoleSucceeded++;
    if (scheduledAt >= consoleMeasureFrom) consoleLatencies.push(at - scheduledAt);
  };
  await consoleClient.subscribe('tp/v1/d/+/cmd/res', 1);
}

async function consoleRun(p: ConsoleRunParams): Promise<ConsoleRunResult> {
  const client = consoleClient;
  if (!client) throw new Error('console not started');
  consolePending.clear();
  consoleLatencies.length = 0;
  consoleSucceeded = 0;
  consoleMeasureFrom = Number.POSITIVE_INFINITY;
  const signer: SignerKey = p.signer;
  const total = p.warmup + p.count;
  const topics = p.targets.map((id) => Buffer.from(deviceTopic(id, 'command')));
  const loop = await runOpenLoop(p.rate, total, (i, scheduledAt) => {
    if (i === p.warmup) consoleMeasureFrom = scheduledAt;
    const deviceId = p.targets[i % p.targets.length]!;
    const now = Date.now();
    const env: CommandEnvelope = signCommand(
      {
        ...header(now),
        deviceId,
        action: p.action,
        params: p.params,
        issuedAt: now,
        expiresAt: now + 600_000,
        issuedBy: 'st-bench',
        keyId: signer.keyId,
      },
      signer,
    );
    consolePending.set(env.id, scheduledAt);
    client.publishRaw(topics[i % topics.length]!, Buffer.from(JSON.stringify(env)), 1);
  });
  await waitFor(() => consolePending.size === 0, p.drainMs, 20);
  return {
    latencies: [...consoleLatencies],
    issued: total,
    succeeded: consoleSucceeded,
    lost: consolePending.size,
    maxLagMs: loop.maxLagMs,
  };
}

/** The generators' ceiling (see ack-sink.ts): one sink per process, started on first use. */
let sink: AckSink | undefined;

async function sinkStart(): Promise<number> {
  sink ??= await startAckSink();
  return sink.port;
}

function closeGroup(p: { group?: string }): void {
  const g = group(p.group);
  for (const c of g.values()) c.destroy();
  groups.delete(p.group ?? 'default');
}

function consoleStop(): void {
  consoleClient?.destroy();
  consoleClient = undefined;
}

function closeAll(): void {
  for (const g of groups.values()) for (const c of g.values()) c.destroy();
  groups.clear();
  subscriber?.socket.destroy();
  subscriber = undefined;
  consoleClient?.destroy();
  consoleClient = undefined;
}

async function sinkStop(): Promise<void> {
  await sink?.close();
  sink = undefined;
}

serve(
  {
    connectDevices,
    ingestStart: (p: IngestStartParams) => ingestStart(p),
    ingestStop,
    pacedIngest: (p: PacedParams & { group?: string }) => pacedIngest([...group(p.group).values()], p),
    startSubscriber,
    sampleSubscriber: (): Sample => ({ count: subscriber?.count ?? 0, at: wallNow() }),
    sinkStart,
    sinkSample: (): Sample => sink?.sample() ?? { count: 0, at: wallNow() },
    sinkStop,
    consoleStart,
    consoleRun,
    apiRun,
    agentStats: (): AgentStats => ({ ...agentStats }),
    closeGroup,
    consoleStop,
    closeAll,
  },
  { pid: process.pid },
  async () => {
    closeAll();
    await sinkStop();
  },
);
