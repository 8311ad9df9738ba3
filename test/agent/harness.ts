import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { Command, FrameKind, FrameParser } from '@touchpoint/firmware-bridge';
import { loadModel, startVirtualMcu, type VirtualMcuHandle } from '@touchpoint/firmware-bridge/sim';
import type { SignerKey } from '@touchpoint/protocol/signing';
import { COFFEE_DIR } from '../helpers/virtual-device.js';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const CLI = join(ROOT, 'cli', 'bin', 'touchpoint.js');

/** Everything a test starts, stopped in reverse order by cleanup(). */
export class Harness {
  private readonly cleanups: (() => Promise<void>)[] = [];
  readonly dirs: string[] = [];

  defer(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // Cleanup keeps going; a failed stop must not hide the test's own failure.
      }
    }
  }

  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.defer(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** The real broker with its fleet service; `port` lets a test bring it back on the same address. */
  async broker(dataDir: string, port = 0): Promise<RunningBroker> {
    const broker = await startBroker({
      dataDir,
      host: '127.0.0.1',
      mqttPort: port,
      httpPort: 0,
      log: 'silent',
      expirySweepMs: 60_000,
    });
    let closed = false;
    const close = broker.close.bind(broker);
    broker.close = async () => {
      if (closed) return;
      closed = true;
      await close();
    };
    this.defer(() => broker.close());
    return broker;
  }

  /** The virtual coffee machine behind a real socat pty pair; counts RUN_ACTION requests that reach it. */
  async mcu(): Promise<VirtualMcuHandle & { actionRequests(): number }> {
    const { profile, config } = await loadModel(COFFEE_DIR);
    const handle = await startVirtualMcu({
      profile,
      config: { ...config, tickMs: 200, stateEventMs: 200 },
      pty: true,
      speed: 10,
    });
    this.defer(() => handle.stop());
    let runs = 0;
    const parser = new FrameParser({
      onFrame: (frame) => {
        if (frame.kind === FrameKind.request && frame.command === Command.runAction) runs++;
      },
      onError: () => undefined,
    });
    const receive = handle.mcu.receive.bind(handle.mcu);
    handle.mcu.receive = (bytes: Uint8Array) => {
      parser.push(bytes);
      receive(bytes);
    };
    return Object.assign(handle, { actionRequests: () => runs });
  }

  /** A fleet-service MQTT client (full rights), e.g. to publish forged commands and read diverted results. */
  async service(broker: RunningBroker): Promise<MqttClient> {
    const client = await connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, {
      clientId: `svc-test-${Math.random().toString(36).slice(2, 8)}`,
      username: 'service',
      password: broker.serviceToken,
      reconnectPeriod: 0,
    });
    this.defer(() => client.endAsync(true));
    return client;
  }
}

export interface AgentFiles {
  configPath: string;
  dataDir: string;
}

/** Write a device config file for the agent process. */
export async function writeAgentConfig(dir: string, fields: Record<string, unknown>): Promise<AgentFiles> {
  const dataDir = join(dir, 'agent-data');
  const configPath = join(dir, 'agent.json');
  await writeFile(
    configPath,
    JSON.stringify({ profile: COFFEE_DIR, dataDir, localServer: { enabled: false }, ...fields }, null, 2),
  );
  return { configPath, dataDir };
}

export interface AgentProcess {
  child: ChildProcess;
  /** Every stderr line so far (the agent logs there). */
  lines: string[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `node cli/bin/touchpoint.js agent --config FILE` as a real process, with debug logs. */
export function spawnAgent(h: Harness, configPath: string): AgentProcess {
  const child = spawn(process.execPath, [CLI, 'agent', '--config', configPath], {
    cwd: ROOT,
    env: { ...process.env, TOUCHPOINT_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  h.defer(() => kill('SIGKILL'));
  return { child, lines, exited, kill };
}

/**
 * The agent config of the command tests: the device's credentials, the virtual MCU's pty with a short request
 * timeout, the fleet's signer as the trusted key, a diagnostics interval long enough to stay out of the way,
 * and a 5 s clock skew allowance; `extra` adds or overrides fields.
 */
export async function commandAgentConfig(
  h: Harness,
  broker: RunningBroker,
  device: { id: string; token: string; devicePath: string | undefined },
  extra: Record<string, unknown> = {},
): Promise<AgentFiles> {
  return writeAgentConfig(await h.tempDir('tp-agent-'), {
    deviceId: device.id,
    brokerUrl: `mqtt://127.0.0.1:${broker.mqttPort}`,
    token: device.token,
    serial: { path: device.devicePath, requestTimeoutMs: 300 },
    trustedKeys: [broker.fleet.signer],
    diagnosticsIntervalS: 60,
    commands: { clockSkewS: 5 },
    ...extra,
  });
}

/** Spawns the agent and waits until the fleet sees the device online and the agent's MCU link is up. */
export async function spawnAgentOnline(
  h: Harness,
  broker: RunningBroker,
  deviceId: string,
  configPath: string,
): Promise<AgentProcess> {
  const proc = spawnAgent(h, configPath);
  await waitFor(
    async () => (await broker.fleet.devices.get(deviceId))?.online && proc.lines.some((l) => l.includes('MCU link up')),
    'agent online with the MCU link up',
    30_000,
  );
  return proc;
}

/** Ids of reports the agent committed to its outbox, in commit order, from its debug log. */
export function queuedReports(lines: readonly string[], kind: string): string[] {
  const ids: string[] = [];
  for (const line of lines) {
    const at = line.indexOf('report queued {');
    if (at < 0) continue;
    const fields = JSON.parse(line.slice(at + 'report queued '.length)) as { kind: string; id: string };
    if (fields.kind === kind) ids.push(fields.id);
  }
  return ids;
}

/** Rows still in the agent's outbox (read-only, alongside the running agent; WAL allows it). */
export function outboxDepth(dataDir: string): number {
  const db = new Database(join(dataDir, 'agent.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function fleetSigningKey(brokerDataDir: string): Promise<SignerKey> {
  return JSON.parse(await readFile(join(brokerDataDir, 'keys', 'command-signing.json'), 'utf8')) as SignerKey;
}

export async function waitFor<T>(
  probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
