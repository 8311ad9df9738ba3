import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import { Receipts } from '@touchpoint/broker';
import { ok, parseTopic, silentLogger } from '@touchpoint/protocol';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import { loadModel, startVirtualMcu, type VirtualMcuHandle } from '@touchpoint/firmware-bridge/sim';
import { sleep, waitFor } from '../clock.js';
import { cpuWindow, rssBytes } from '../proc-stats.js';
import type { BenchContext, BenchRow, BenchSuite, SuiteResult } from '../types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COFFEE = join(DEFAULT_MODELS_DIR, 'coffee-machine');

/** The baseline: what any device needs at least, a connected MQTT.js client with a will and one subscription. */
const BARE_CLIENT = `
import mqtt from 'mqtt';
const client = mqtt.connect(process.env.BROKER_URL, {
  clientId: 'bare-client', keepalive: 30, clean: false, reconnectPeriod: 1000,
  will: { topic: 'tp/v1/d/bare-client/presence', payload: 'offline', qos: 1, retain: true },
});
client.on('connect', () => {
  client.subscribe('tp/v1/d/bare-client/cmd', { qos: 1 });
  client.publish('tp/v1/d/bare-client/presence', 'online', { qos: 1, retain: true });
});
process.on('SIGTERM', () => client.end(false, {}, () => process.exit(0)));
`;

interface Broker {
  aedes: Aedes;
  url: string;
  close(): Promise<void>;
}

async function startAedes(): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  // The fleet's receipts (issue 15): without them the agent keeps its reports and sends them again.
  const receipts = new Receipts(
    (topic, payload, opts) =>
      new Promise<void>((resolve, reject) =>
        aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: opts.qos, retain: opts.retain, dup: false },
          (err?: Error) => (err ? reject(err) : resolve()),
        ),
      ),
    silentLogger,
  );
  aedes.on('publish', (packet, client) => {
    const topic = client ? parseTopic(packet.topic) : undefined;
    if (topic) void receipts.settled(topic, Buffer.from(packet.payload), ok('stored'));
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    aedes,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function connected(aedes: Aedes, clientId: string): boolean {
  return clientId in (aedes as unknown as { clients: Record<string, unknown> }).clients;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/**
 * Idle footprint of the shipped agent bundle (device-agent/dist/touchpoint-agent.mjs, default config: diagnostics
 * every 60 s, keepalive 30 s, loopback UI server on) with the virtual coffee machine on a socat pty pushing state
 * every 2 s, next to a bare MQTT.js client connected to the same in-process aedes. Both run at once, as child
 * processes, and are measured over the same window.
 */
export const agentIdleSuite: BenchSuite = {
  name: 'agent-idle',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const windowMs = ctx.quick ? 10_000 : 60_000;
    const settleMs = ctx.quick ? 3_000 : 10_000;
    const rounds = ctx.quick ? 2 : 3;

    ctx.log('building the agent bundle');
    const { buildAgent } = (await import(pathToFileURL(join(ROOT, 'device-agent', 'build.mjs')).href)) as {
      buildAgent(o: { quiet: boolean }): Promise<{ files: string[]; bytes: number }>;
    };
    const bundle = await buildAgent({ quiet: true });
    const bundlePath = bundle.files[0] as string;

    const { profile, config } = await loadModel(COFFEE);
    const signer = generateSignerKey('bench');
    const broker = await startAedes();
    const rssAgent: number[] = [];
    const rssBare: number[] = [];
    const cpuAgent: number[] = [];
    const cpuBare: number[] = [];

    try {
      for (let round = 0; round < rounds; round++) {
        const dir = await mkdtemp(join(tmpdir(), 'tp-bench-agent-'));
        let mcu: VirtualMcuHandle | undefined;
        const children: ChildProcess[] = [];
        try {
          mcu = await startVirtualMcu({ profile, config, pty: true });
          const configPath = join(dir, 'agent.json');
          await writeFile(
            configPath,
            JSON.stringify({
              deviceId: 'bench-agent',
              brokerUrl: broker.url,
              token: 'bench-token-bench-token-bench',
              serial: { path: mcu.devicePath },
              dataDir: join(dir, 'data'),
              trustedKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
              profile: COFFEE,
              localServer: { port: 0 },
            }),
          );
          const agent = spawn(process.execPath, [bundlePath, '--config', configPath], {
            cwd: ROOT,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let agentLog = '';
          agent.stderr!.on('data', (c: Buffer) => (agentLog = (agentLog + c.toString()).slice(-4000)));
          const bare = spawn(process.execPath, ['--input-type=module', '-e', BARE_CLIENT], {
            cwd: ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
            env: { ...process.env, BROKER_URL: broker.url },
          });
          children.push(agent, bare);
          const up = await waitFor(
            () => connected(broker.aedes, 'bench-agent') && connected(broker.aedes, 'bare-client'),
            30_000,
          );
          if (!up) throw new Error(`processes did not connect; agent log:\n${agentLog}`);
          await sleep(settleMs);
          const agentCpu = cpuWindow(agent.pid!);
          const bareCpu = cpuWindow(bare.pid!);
          await sleep(windowMs);
          const a = agentCpu.stop();
          const b = bareCpu.stop();
          cpuAgent.push((100 * a.cpuMs) / a.wallMs);
          cpuBare.push((100 * b.cpuMs) / b.wallMs);
          rssAgent.push(rssBytes(agent.pid!) / 1024 / 1024);
          rssBare.push(rssBytes(bare.pid!) / 1024 / 1024);
          ctx.log(
            `round ${round + 1}/${rounds}: agent ${rssAgent.at(-1)!.toFixed(1)} MiB ${cpuAgent.at(-1)!.toFixed(2)} % CPU; bare client ${rssBare.at(-1)!.toFixed(1)} MiB ${cpuBare.at(-1)!.toFixed(2)} %`,
          );
        } finally {
          for (const child of children) await stopChild(child);
          await mcu?.stop();
          await rm(dir, { recursive: true, force: true });
        }
      }
    } finally {
      await broker.close();
    }

    const rows: BenchRow[] = [
      {
        metric: 'idle RSS',
        unit: 'MiB',
        system: 'touchpoint agent (bundle)',
        rounds: rssAgent,
        baseline: { system: 'bare MQTT.js client', rounds: rssBare },
        higherIsBetter: false,
        goal: '≤ 1.15×',
        // V8 returns the young generation startup grew (~15 MiB) only ~20 s after start (docs/benchmarks.md, issue 13).
        note: `median overhead ${(median(rssAgent) - median(rssBare)).toFixed(1)} MiB over the bare client${ctx.quick ? `; not meaningful in the quick run: read ${(settleMs + windowMs) / 1000} s after connecting, before V8 gives back the young generation startup grew` : ''}`,
      },
      {
        metric: 'idle CPU',
        unit: '% of one core',
        system: 'touchpoint agent (bundle)',
        rounds: cpuAgent,
        baseline: { system: 'bare MQTT.js client', rounds: cpuBare },
        higherIsBetter: false,
      },
      {
        metric: 'agent bundle size',
        unit: 'KiB',
        system: 'touchpoint agent (bundle)',
        rounds: [bundle.bytes / 1024],
        higherIsBetter: false,
        note: 'esbuild, minified; serialport and better-sqlite3 external',
      },
    ];
    return {
      suite: 'agent-idle',
      loadShape: `agent bundle with default intervals (diagnostics 60 s, keepalive 30 s, UI server on) and the virtual coffee machine on a socat pty (state push every 2 s), next to a bare MQTT.js client (keepalive 30 s, will, one subscription); both child processes on one in-process aedes that answers the agent's reports with receipts as the fleet does; ${settleMs / 1000} s settle, then CPU over a ${windowMs / 1000} s window and RSS at its end; ${rounds} rounds`,
      rows,
    };
  },
};
