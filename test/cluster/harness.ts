/**
 * Touchpoint in cluster mode for the tests (issue 15): `touchpoint engine-auth` on a fresh data folder,
 * and a three-node RabbitMQ cluster whose MQTT plugin authenticates every client through it
 * (rabbitmq_auth_backend_http behind rabbitmq_auth_backend_cache, as docs/scale-out.md configures it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { engineAuthConfig, startEngineAuth, type RunningEngineAuth } from '@touchpoint/broker';
import { startRabbitCluster, type RabbitCluster } from '../helpers/rabbitmq-cluster.js';
import { REPO_ROOT, eventually } from '../helpers/virtual-device.js';

const CLI = join(REPO_ROOT, 'cli', 'bin', 'touchpoint.js');

// The config lines are the product's (docs/scale-out.md); re-exported for the bench.
export { engineAuthConfig };

export interface EngineCluster {
  auth: RunningEngineAuth;
  /** engine-auth's data folder (the fleet's SQLite database and service token), which fleet workers share. */
  dataDir: string;
  cluster: RabbitCluster;
  stop(): Promise<void>;
}

export async function startEngineCluster(): Promise<EngineCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tp-cluster-data-'));
  const auth = await startEngineAuth({ dataDir, log: 'silent' });
  let cluster: RabbitCluster;
  try {
    cluster = await startRabbitCluster({ config: engineAuthConfig(auth.url), timeoutMs: 170_000 });
  } catch (err) {
    await auth.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    auth,
    dataDir,
    cluster,
    async stop() {
      await cluster.stop();
      await auth.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
}

/** Connects expecting a refusal; resolves with the CONNACK return code. */
export function connectRefused(url: string, opts: IClientOptions): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
    client.once('connect', () => {
      client.end(true);
      reject(new Error('connection was accepted'));
    });
    client.once('error', (err) => {
      client.end(true);
      resolve((err as Error & { code?: number }).code);
    });
  });
}

/** Resolves when the engine closes the client's connection (RabbitMQ's answer to a refused publish or subscribe in 3.10). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

/** A `touchpoint` command running as a child process (a fleet worker, an API process), its output kept. */
export interface CliProcess {
  name: string;
  proc: ChildProcess;
  /** stdout and stderr so far. */
  log(): string;
  exited: Promise<number | null>;
}

export function spawnCli(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const proc = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TOUCHPOINT_LOG_LEVEL: 'info', ...env },
  });
  const output: string[] = [];
  proc.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { name, proc, log: () => output.join(''), exited };
}

/** SIGTERM to every process still running, then waits for all of them. */
export async function stopAll(processes: readonly CliProcess[]): Promise<void> {
  for (const p of processes) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
}

/** `--amqp` for every node of the cluster, beginning at `firstNode`: each process lists all, starting at a different one. */
export function amqpArgs(ec: EngineCluster, firstNode: number): string[] {
  const nodes = ec.cluster.nodes;
  return nodes.flatMap((_n, k) => ['--amqp', `amqp://127.0.0.1:${nodes[(firstNode + k) % nodes.length]!.amqpPort}`]);
}

/** `touchpoint fleet-worker` on the cluster's data folder (not waited for: the caller waits for "consuming"). */
export function spawnFleetWorker(
  ec: EngineCluster,
  name: string,
  firstNode: number,
  env: NodeJS.ProcessEnv = {},
): CliProcess {
  return spawnCli(
    name,
    ['fleet-worker', ...amqpArgs(ec, firstNode), '--data-dir', ec.dataDir, '--prefetch', '20'],
    env,
  );
}

/** The ingest queue's consumers and messages, from rabbitmqctl on a node that is up. */
export async function ingestQueue(ec: EngineCluster, nodeIndex = 0): Promise<{ consumers: number; messages: number }> {
  const out = await ec.cluster.ctl(ec.cluster.nodes[nodeIndex]!, [
    'list_queues',
    '--quiet',
    '--no-table-headers',
    'name',
    'consumers',
    'messages',
  ]);
  const line = out.split('\n').find((l) => l.startsWith('tp.fleet.ingest\t'));
  if (!line) return { consumers: 0, messages: -1 };
  const [, consumers, messages] = line.split('\t');
  return { consumers: Number(consumers), messages: Number(messages) };
}

/** A `touchpoint api` process started by startApiProcess: its base URL and its id on the live channel. */
export interface ApiProcess extends CliProcess {
  base: string;
  origin: string;
}

/**
 * Starts `touchpoint api` on the cluster's data folder, given every node beginning at `firstNode`, and waits
 * until it serves HTTP and is on the live channel. Pushed to `processes` at once, so stopAll stops it even
 * when the start fails.
 */
export async function startApiProcess(
  ec: EngineCluster,
  name: string,
  firstNode: number,
  processes: CliProcess[],
): Promise<ApiProcess> {
  const p = spawnCli(name, ['api', ...amqpArgs(ec, firstNode), '--data-dir', ec.dataDir, '--http-port', '0']);
  processes.push(p);
  const ready = await eventually(() => /api ready (\{.*\})/.exec(p.log())?.[1], `${name} ready`, 60_000).catch(
    (err: unknown) => {
      throw new Error(`${(err as Error).message}\n${p.log()}`);
    },
  );
  await eventually(() => p.log().includes('live channel ready'), `${name} on the live channel (${p.log()})`, 60_000);
  // Printed after the log line, with the first start's admin password in the same write.
  await eventually(() => p.log().includes('Console   http://'), `${name}'s console URL (${p.log()})`, 10_000);
  const { httpPort, origin } = JSON.parse(ready) as { httpPort: number; origin: string };
  return { ...p, base: `http://127.0.0.1:${httpPort}`, origin };
}
