import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, ExitCode, TouchpointError } from '@touchpoint/protocol';
import { deviceTrust, engineAuthConfig, startEngineAuth, type RunningEngineAuth } from '@touchpoint/broker';
import {
  RABBITMQ_BIN,
  rabbitmqInstalled,
  startRabbitCluster,
  type RabbitCluster,
} from '../../cluster/rabbitmq-cluster.js';
import { planFleet } from './demo-devices.js';
import { startSimulatedDevice, type SimulatedDevice } from './simulated-device.js';

const CLI_BIN = fileURLToPath(new URL('../../../bin/touchpoint.js', import.meta.url));
const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export interface ClusterDemoOptions {
  devices: number;
  extraModels: readonly string[];
  modelDirs: readonly string[];
  modelDir(model: string): string | undefined;
  httpPort: number;
  uiBase: number;
  serial: 'pty' | 'memory';
  faultsPerMinute: number;
  /** Where rabbitmq-server and rabbitmqctl are (default Debian's folder; $TP_RABBITMQ_BIN). */
  rabbitmqBin?: string | undefined;
  step(message: string): void;
}

/** What `demo --cluster` needs and does not find, as one message with the apt-get line (issue 15). */
export function clusterDemoMissing(rabbitmqBin: string = RABBITMQ_BIN): string | undefined {
  if (rabbitmqInstalled(rabbitmqBin)) return undefined;
  return [
    `touchpoint demo --cluster runs a three-node RabbitMQ cluster, and RabbitMQ is not installed (no rabbitmq-server in ${rabbitmqBin}).`,
    'Install it with:',
    '  sudo apt-get install rabbitmq-server',
    'PostgreSQL is optional for now (the fleet store is still SQLite, docs/scale-out.md): sudo apt-get install postgresql',
    'Or run the embedded demo, which needs nothing else: npx touchpoint demo',
  ].join('\n');
}

/** A `touchpoint` child process whose log goes to a file; `ready` resolves on the first line matching. */
interface Child {
  name: string;
  proc: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

function spawnChild(name: string, args: readonly string[], logDir: string): Child {
  const proc = spawn(process.execPath, [CLI_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TOUCHPOINT_LOG_LEVEL: process.env.TOUCHPOINT_LOG_LEVEL ?? 'info' },
  });
  const file = createWriteStream(join(logDir, `${name}.log`));
  let text = '';
  const take = (chunk: Buffer) => {
    file.write(chunk);
    // Only the recent output is kept in memory, for the readiness checks and an error message.
    text = (text + chunk.toString()).slice(-64 * 1024);
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  proc.once('exit', () => file.end());
  return {
    name,
    proc,
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return false;
          done();
          resolve(match);
          return true;
        };
        const exited = (code: number | null) => {
          done();
          reject(new Error(`${name} exited (${code ?? 'signal'}) before it was ready:\n${text.slice(-2000)}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} not ready after ${timeoutMs / 1000} s:\n${text.slice(-2000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          proc.stdout!.off('data', check);
          proc.stderr!.off('data', check);
          proc.off('exit', exited);
        };
        if (check()) return;
        proc.stdout!.on('data', check);
        proc.stderr!.on('data', check);
        proc.once('exit', exited);
      });
    },
  };
}

/** SIGTERM, and SIGKILL if it has not stopped within `graceMs`. */
async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * `touchpoint demo --cluster` (issue 15, docs/scale-out.md "The cluster demo"): the cluster mode on one
 * machine, everything in a temp folder: engine-auth, three RabbitMQ nodes on loopback, two fleet workers
 * and one API process (the real commands, as child processes), and the demo's simulated devices spread
 * over the nodes. Ctrl-C stops all of it and removes the folder.
 */
export async function runClusterDemo(o: ClusterDemoOptions): Promise<number> {
  const { step } = o;
  const rabbitmqBin = o.rabbitmqBin ?? RABBITMQ_BIN;
  const missing = clusterDemoMissing(rabbitmqBin);
  if (missing) throw new TouchpointError(ErrorCode.NOT_FOUND, missing);
  const startedAt = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'tp-demo-cluster-'));
  const logDir = join(dataDir, 'logs');
  await mkdir(logDir);
  step(`cluster demo: data and logs in ${dataDir} (removed when it stops)`);

  let auth: RunningEngineAuth | undefined;
  let cluster: RabbitCluster | undefined;
  const children: Child[] = [];
  const devices: SimulatedDevice[] = [];
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    step('stopping simulated devices, API, fleet workers, engine nodes and engine-auth');
    await Promise.allSettled(devices.map((d) => d.stop()));
    await Promise.allSettled(children.map((c) => stopChild(c)));
    await cluster?.stop();
    await auth?.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  const interrupted = new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });

  let consoleAt: { url: string; password: string | undefined };
  try {
    auth = await startEngineAuth({ dataDir, log: 'silent' });
    step(`engine-auth ready: ${auth.url}`);
    // The command key, made once here so the API process and the devices agree on it.
    const trust = await deviceTrust(dataDir);
    step('starting three RabbitMQ nodes (about half a minute)');
    cluster = await startRabbitCluster({ config: engineAuthConfig(auth.url), binDir: rabbitmqBin, timeoutMs: 180_000 });
    const nodes = cluster.nodes;
    step(`engine ready: ${nodes.map((n) => n.mqttUrl).join(', ')}`);
    const amqp = (first: number) =>
      [0, 1, 2].flatMap((k) => ['--amqp', `amqp://127.0.0.1:${nodes[(first + k) % 3]!.amqpPort}`]);
    for (const i of [0, 1]) {
      const worker = spawnChild(`fleet-worker-${i + 1}`, ['fleet-worker', ...amqp(i), '--data-dir', dataDir], logDir);
      children.push(worker);
      await worker.waitFor(/consuming/, 60_000);
      step(`fleet worker ${i + 1} consuming`);
    }
    const api = spawnChild(
      'api',
      [
        'api',
        ...amqp(2),
        '--data-dir',
        dataDir,
        '--http-port',
        String(o.httpPort),
        ...o.modelDirs.flatMap((d) => ['--models-dir', d]),
      ],
      logDir,
    );
    children.push(api);
    const url = (await api.waitFor(/Console\s+(http:\/\/\S+)/, 60_000))[1]!;
    await api.waitFor(/live channel ready/, 60_000);
    consoleAt = { url, password: /one-time password: (\S+)/.exec(api.output())?.[1] };
    step(`API process ready: ${url}`);

    for (const [i, planned] of planFleet(o.devices, o.extraModels).entries()) {
      const { token } = await auth.devices.provision(planned.deviceId, planned.model, ['demo']);
      const device = await startSimulatedDevice({
        deviceId: planned.deviceId,
        model: planned.model,
        modelDir: o.modelDir(planned.model)!,
        token,
        brokerUrl: nodes[i % nodes.length]!.mqttUrl,
        trustedKey: trust.trustedKeys[0]!,
        rootKeys: trust.rootKeys,
        dataDir,
        uiPort: o.uiBase === 0 ? 0 : o.uiBase + i,
        serial: o.serial,
        randomFaultsPerMinute: o.faultsPerMinute,
      });
      devices.push(device);
      step(`device ${device.deviceId} (${device.model}) on ${nodes[i % nodes.length]!.mqttUrl}`);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nTouchpoint cluster is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s).\n`);
  out(`Console:      ${consoleAt.url}`);
  out(
    consoleAt.password
      ? `Login:        admin / ${consoleAt.password}   (one-time password; the console then asks you to choose your own)`
      : 'Login:        admin (no one-time password was printed; see the API log)',
  );
  out(`Engine:       ${cluster!.nodes.map((n) => `${n.mqttUrl} (AMQP ${n.amqpPort})`).join(', ')}`);
  out(`engine-auth:  ${auth!.url}`);
  out(`Processes:    2 fleet workers, 1 API process; logs in ${logDir}`);
  out(
    `Store:        SQLite in ${dataDir} (PostgreSQL ${existsSync(join(POSTGRES_BIN, 'postgres')) ? 'is installed but ' : ''}is not used yet: the store is not converted, docs/scale-out.md)`,
  );
  for (const d of devices) out(`Touchscreen:  ${d.uiUrl}   ${d.deviceId}   (kiosk screen of this ${d.model}, 800×480)`);
  out('\nNot in the cluster demo: video calls and the Simulator panel (docs/scale-out.md).');
  out('Press Ctrl-C to stop everything.');
  await interrupted;
  await stopAll();
  return ExitCode.ok;
}
