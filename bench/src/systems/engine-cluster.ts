import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineAuthConfig } from '@touchpoint/test/cluster';
import { rabbitmqInstalled, startRabbitCluster, type RabbitCluster } from '@touchpoint/test/rabbitmq-cluster';
import { waitFor } from '../clock.js';
import { Child } from '../ipc.js';
import type { EngineAuthInfo } from './engine-auth-child.js';

/**
 * Touchpoint in cluster mode for the `cluster` suite (issue 15): `touchpoint engine-auth` in its own
 * process (so its CPU is its own), a three-node RabbitMQ cluster that authenticates every device
 * through it, and fleet workers as the real CLI (`touchpoint fleet-worker`), each its own process,
 * sharing engine-auth's data folder.
 */

const CLI = fileURLToPath(new URL('../../../cli/bin/touchpoint.js', import.meta.url));

export interface WorkerProcess {
  readonly pid: number;
  readonly output: string[];
  readonly exited: Promise<number | null>;
  readonly proc: ChildProcess;
}

export interface RunningCluster {
  auth: Child<EngineAuthInfo>;
  rabbit: RabbitCluster;
  workers: WorkerProcess[];
  /** The nodes' MQTT ports, for devices. */
  mqttPorts: number[];
  /** The pids of the nodes' Erlang VMs, for the engine's CPU. */
  enginePids(): number[];
  stop(): Promise<void>;
}

export function clusterMissing(): string | undefined {
  return rabbitmqInstalled() ? undefined : 'rabbitmq-server is not installed (apt-get install rabbitmq-server)';
}

function startWorker(dataDir: string, amqpPorts: readonly number[], first: number): WorkerProcess {
  // Each worker lists every node, starting at a different one, as an operator would spread them.
  const urls = amqpPorts.map((_, k) => `amqp://127.0.0.1:${amqpPorts[(first + k) % amqpPorts.length]}`);
  const proc = spawn(
    process.execPath,
    [CLI, 'fleet-worker', ...urls.flatMap((u) => ['--amqp', u]), '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TOUCHPOINT_LOG_LEVEL: 'info' } },
  );
  const output: string[] = [];
  // Kept short: only the start line and errors matter, and a long run must not grow this.
  const keep = (chunk: Buffer) => {
    if (output.length < 200) output.push(chunk.toString());
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { pid: proc.pid!, output, exited, proc };
}

/** A node's Erlang VM, from the pid file RabbitMQ writes into the node's folder (RABBITMQ_PID_FILE). */
function beamPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'rabbit.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function startCluster(opts: {
  workers: number;
  log: (message: string) => void;
  /** engine-auth's identity cache TTL (ms). */
  identityTtlMs?: number;
}): Promise<RunningCluster> {
  const auth = await Child.spawn<EngineAuthInfo>(new URL('./engine-auth-child.ts', import.meta.url), 'engine-auth', {
    args: [String(opts.identityTtlMs ?? 10_000)],
  });
  let rabbit: RabbitCluster;
  try {
    rabbit = await startRabbitCluster({
      config: engineAuthConfig(auth.info.url),
      timeoutMs: 240_000,
      progress: (step, ms) => opts.log(`cluster: ${step} (${Math.round(ms / 1000)} s)`),
    });
  } catch (err) {
    await auth.stop();
    throw err;
  }
  const workers: WorkerProcess[] = [];
  const stop = async () => {
    for (const w of workers) w.proc.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await rabbit.stop();
    await auth.stop();
  };
  try {
    const amqpPorts = rabbit.nodes.map((n) => n.amqpPort);
    for (let i = 0; i < opts.workers; i++) workers.push(startWorker(auth.info.dataDir, amqpPorts, i));
    for (const [i, w] of workers.entries()) {
      const up = await waitFor(() => w.output.join('').includes('consuming'), 60_000, 100);
      if (!up) throw new Error(`fleet worker ${i + 1} did not start consuming in 60 s: ${w.output.join('')}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const dirs = rabbit.nodes.map((n) => n.dir);
  return {
    auth,
    rabbit,
    workers,
    mqttPorts: rabbit.nodes.map((n) => n.mqttPort),
    enginePids: () => dirs.map(beamPid).filter((pid): pid is number => pid !== undefined),
    stop,
  };
}
