import Database from 'better-sqlite3';
import { join } from 'node:path';
import { wallNow } from '../clock.js';
import { LoadgenPool } from '../load/loadgen-pool.js';
import type { DeviceCredential } from '../load/loadgen-protocol.js';
import type { PacedResult } from '../load/paced-ingest.js';
import { cpuMs, rssBytes } from '../proc-stats.js';
import { percentile } from '../stats.js';
import { Child } from '../ipc.js';
import { ACTION, RATE, touchpointRound, type RoundResult } from './commands.js';
import type { TouchpointInfo } from '../systems/system-protocol.js';
import type { TrustedKey } from '@touchpoint/protocol/signing';
import { clusterMissing, startCluster, type RunningCluster } from '../systems/engine-cluster.js';
import { startSystem, type RunningSystem } from '../systems/systems.js';
import type { BenchContext, BenchRow, BenchSuite, SuiteResult } from '../types.js';

/**
 * Issue 15, "A `cluster` suite in `npm run bench`": Touchpoint in cluster mode (three RabbitMQ nodes,
 * `touchpoint engine-auth`, two `touchpoint fleet-worker` processes sharing one SQLite file) against
 * the embedded broker in the same run. Devices are spread over the three nodes; each connects with its
 * own token through engine-auth, subscribes to its command and receipt topics and publishes a retained
 * presence. Then diagnostics at a fixed offered rate, open loop, timed from publish to the fleet's
 * receipt (what an agent's outbox waits for), in consecutive windows; every sent id is looked up in the
 * store afterwards: stored once, none lost, none twice.
 *
 * Commands go through a `touchpoint api` process, as the commands suite sends them to the embedded
 * broker. Not yet measured here: the store on PostgreSQL (docs/scale-out.md).
 */

const CLUSTER = 'cluster (3 RabbitMQ nodes, 2 fleet workers)';
const EMBEDDED = 'embedded broker';
const WORKERS = 2;
const CONNECT_CONCURRENCY = 64;

interface Shape {
  devices: number;
  /** Devices on the embedded broker for its baseline windows (one process holds about 10,000). */
  embeddedDevices: number;
  rate: number;
  windowS: number;
  windows: number;
  warmupS: number;
}

function shape(quick: boolean): Shape {
  return quick
    ? { devices: 600, embeddedDevices: 600, rate: 300, windowS: 5, windows: 3, warmupS: 2 }
    : { devices: 30_000, embeddedDevices: 3_000, rate: 3_000, windowS: 60, windows: 5, warmupS: 10 };
}

interface Window {
  stored: number;
  duplicated: number;
  lost: number;
  ratePerS: number;
  p99: number;
  p50: number;
  lagMs: number;
  /** CPU of Touchpoint's own ingest processes (workers, or the embedded broker) in ms. */
  ingestCpuMs: number;
  engineCpuMs: number;
}

function summarise(
  results: PacedResult[],
): Omit<Window, 'stored' | 'duplicated' | 'lost' | 'ingestCpuMs' | 'engineCpuMs'> {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const received = results.reduce((n, r) => n + r.receipted, 0);
  const from = Math.min(...results.map((r) => r.firstSentAt));
  const to = Math.max(...results.map((r) => r.lastReceiptAt));
  return {
    ratePerS: to > from ? (received / (to - from)) * 1000 : 0,
    p99: latencies.length ? percentile(latencies, 99) : Number.NaN,
    p50: latencies.length ? percentile(latencies, 50) : Number.NaN,
    lagMs: Math.max(...results.map((r) => r.maxLagMs)),
  };
}

const sumCpu = (pids: readonly number[]) => pids.reduce((n, pid) => n + cpuMs(pid), 0);

/** Runs the paced windows; `stored` counts what the store holds for the ids a window sent. */
async function windows(
  ctx: BenchContext,
  label: string,
  s: Shape,
  pool: LoadgenPool,
  ingestPids: () => number[],
  enginePids: () => number[],
  stored: (runTags: string[]) => { rows: number; uniq: number },
): Promise<Window[]> {
  const out: Window[] = [];
  for (let w = 0; w < s.windows; w++) {
    const ingest0 = sumCpu(ingestPids());
    const engine0 = sumCpu(enginePids());
    const results = await pool.paced({
      rate: s.rate,
      warmup: w === 0 ? s.rate * s.warmupS : 0,
      count: s.rate * s.windowS,
      runTag: `w${w}`,
      drainMs: 60_000,
    });
    const ingestCpuMs = sumCpu(ingestPids()) - ingest0;
    const engineCpuMs = sumCpu(enginePids()) - engine0;
    const sent = results.reduce((n, r) => n + r.sent, 0);
    const count = stored(results.map((r) => r.runTag));
    const window: Window = {
      ...summarise(results),
      stored: count.uniq,
      duplicated: count.rows - count.uniq,
      lost: sent - count.uniq,
      ingestCpuMs,
      engineCpuMs,
    };
    out.push(window);
    ctx.log(
      `cluster ${label} window ${w + 1}/${s.windows}: ${Math.round(window.ratePerS)} stored/s, receipt p99 ${window.p99.toFixed(1)} ms, ` +
        `${window.lost} lost, ${window.duplicated} twice, driver lag ${Math.round(window.lagMs)} ms`,
    );
  }
  return out;
}

/** Spreads devices over the nodes, one third each, all at once. */
async function connectAcross(
  pool: LoadgenPool,
  devices: DeviceCredential[],
  ports: readonly number[],
  trusted: TrustedKey,
) {
  const shares = ports.map(() => [] as DeviceCredential[]);
  devices.forEach((d, i) => shares[i % ports.length]!.push(d));
  const results = await Promise.all(
    ports.map((port, i) =>
      pool.connect(shares[i]!, {
        host: '127.0.0.1',
        port,
        concurrency: Math.max(4, Math.floor(CONNECT_CONCURRENCY / ports.length)),
        keepaliveS: 60,
        subscribe: true,
        presence: true,
        retainPresence: true,
        agent: { trusted: [trusted] },
      }),
    ),
  );
  return {
    connected: results.reduce((n, r) => n + r.connected, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    startedAt: Math.min(...results.map((r) => r.startedAt)),
    finishedAt: Math.max(...results.map((r) => r.finishedAt)),
  };
}

/** Rows and distinct message ids stored for the given run tags (every id the paced run sent contains its tag). */
function countStored(dbPath: string) {
  return (runTags: string[]) => {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      let rows = 0;
      let uniq = 0;
      const q = db.prepare(
        "SELECT COUNT(*) AS rows, COUNT(DISTINCT msg_id) AS uniq FROM diagnostics WHERE msg_id LIKE '%' || ? || '-%'",
      );
      for (const tag of runTags) {
        const r = q.get(tag) as { rows: number; uniq: number };
        rows += r.rows;
        uniq += r.uniq;
      }
      return { rows, uniq };
    } finally {
      db.close();
    }
  };
}

const LOADGEN = new URL('../load/loadgen-child.ts', import.meta.url);

/** Commands through the console API at the commands suite's rate, its rounds' shape, to every device in turn. */
async function commandRounds(
  ctx: BenchContext,
  label: string,
  tp: Child<TouchpointInfo>,
  targets: string[],
): Promise<RoundResult[]> {
  const consoleChild = await Child.spawn(LOADGEN, `${label}-console`);
  const s = ctx.quick ? { warmup: 50, count: 200 } : { warmup: 400, count: 3_000 };
  const out: RoundResult[] = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      const r = await touchpointRound(tp, consoleChild, targets, s);
      out.push(r);
      const sorted = [...r.latencies].sort((a, b) => a - b);
      ctx.log(
        `cluster ${label} commands round ${round + 1}/${ctx.rounds}: p99 ${sorted.length ? percentile(sorted, 99).toFixed(1) : '–'} ms, ${r.lost} lost${r.note ? ` (${r.note})` : ''}`,
      );
    }
  } finally {
    await consoleChild.stop();
  }
  return out;
}

interface Measured {
  windows: Window[];
  commands: RoundResult[];
}

type ConnectRow = { metric: string; unit: string; value: number; goal?: string; lowerIsBetter?: boolean };

async function runCluster(
  ctx: BenchContext,
  s: Shape,
  checks: string[],
): Promise<Measured & { connectRows: ConnectRow[] }> {
  const started = wallNow();
  const cluster: RunningCluster = await startCluster({ workers: WORKERS, log: ctx.log });
  ctx.log(`cluster: three nodes and ${WORKERS} fleet workers up in ${Math.round((wallNow() - started) / 1000)} s`);
  let api: Child<TouchpointInfo> | undefined;
  const pool = await LoadgenPool.start(LoadgenPool.processesFor(s.devices), 'cluster-dev');
  try {
    api = await Child.spawn<TouchpointInfo>(new URL('../systems/api-child.ts', import.meta.url), 'cluster-api', {
      args: [cluster.auth.info.dataDir, ...cluster.rabbit.nodes.map((n) => String(n.amqpPort))],
    });
    const devices = await cluster.auth.call<DeviceCredential[]>('provision', { prefix: 'cl-', count: s.devices });
    const asks = async () => {
      const counters = await cluster.auth.call<Record<string, number>>('counters');
      return Object.entries(counters)
        .filter(([name]) => /^engine\.(user|vhost|resource|topic)\./.test(name))
        .reduce((n, [, v]) => n + v, 0);
    };
    const asks0 = await asks();
    const engineRss = () => cluster.enginePids().reduce((n, pid) => n + rssBytes(pid), 0);
    const rss0 = engineRss();
    const auth0 = cpuMs(cluster.auth.pid);
    const conn = await connectAcross(pool, devices, cluster.mqttPorts, api.info.signer);
    const authCpuMs = cpuMs(cluster.auth.pid) - auth0;
    const connectAsks = (await asks()) - asks0;
    const rssPerDevice = (engineRss() - rss0) / conn.connected / 1024;
    const seconds = (conn.finishedAt - conn.startedAt) / 1000;
    ctx.log(
      `cluster: ${conn.connected}/${s.devices} devices connected and subscribed in ${seconds.toFixed(1)} s` +
        ` (${conn.failed} failed${conn.errors.length ? `: ${conn.errors.join('; ')}` : ''}); engine-auth CPU ${Math.round(authCpuMs)} ms`,
    );
    if (conn.connected < s.devices) checks.push(`cluster: only ${conn.connected} of ${s.devices} devices connected`);
    const connectRows: ConnectRow[] = [
      {
        metric: 'devices connected and subscribed across the cluster',
        unit: 'devices',
        value: conn.connected,
        goal: '>= 30,000 (issue 15)',
      },
      { metric: 'cluster connect rate', unit: 'devices/s', value: conn.connected / seconds },
      {
        metric: 'RabbitMQ RSS per connected device (three nodes)',
        unit: 'KiB',
        value: rssPerDevice,
        lowerIsBetter: true,
      },
      {
        metric: 'engine-auth answers per CPU-second while devices connect (login, vhost, resource and topic asks)',
        unit: '/CPU-s',
        value: authCpuMs > 0 ? connectAsks / (authCpuMs / 1000) : Number.NaN,
      },
      {
        metric: 'engine-auth asks per connecting device',
        unit: 'asks',
        value: connectAsks / conn.connected,
        lowerIsBetter: true,
      },
    ];
    const measured = await windows(
      ctx,
      'cluster',
      s,
      pool,
      () => cluster.workers.map((w) => w.pid),
      cluster.enginePids,
      countStored(join(cluster.auth.info.dataDir, 'fleet.sqlite')),
    );
    const commands = await commandRounds(
      ctx,
      'cluster',
      api,
      devices.map((d) => d.id),
    );
    return { windows: measured, commands, connectRows };
  } finally {
    await pool.stop();
    await api?.stop();
    await cluster.stop();
  }
}

async function runEmbedded(ctx: BenchContext, s: Shape): Promise<Measured> {
  const sys: RunningSystem = await startSystem('touchpoint');
  const pool = await LoadgenPool.start(LoadgenPool.processesFor(s.embeddedDevices), 'embedded-dev');
  try {
    const devices = await sys.devices('em-', s.embeddedDevices);
    const conn = await pool.connect(devices, {
      host: '127.0.0.1',
      port: sys.port,
      concurrency: CONNECT_CONCURRENCY,
      keepaliveS: 60,
      subscribe: true,
      presence: true,
      retainPresence: true,
      agent: { trusted: [sys.touchpoint!.info.signer] },
    });
    ctx.log(`embedded: ${conn.connected}/${s.embeddedDevices} devices connected`);
    // The embedded broker receipts a report only after its store commit, so receipted = stored; it
    // deduplicates by message id, so a receipt is never for a second row.
    const measured = await windows(
      ctx,
      'embedded',
      s,
      pool,
      () => [sys.pid],
      () => [],
      () => ({ rows: Number.NaN, uniq: Number.NaN }),
    );
    const commands = await commandRounds(
      ctx,
      'embedded',
      sys.touchpoint!,
      devices.map((d) => d.id),
    );
    return { windows: measured, commands };
  } finally {
    await pool.stop();
    await sys.stop();
  }
}

export const suite: BenchSuite = {
  name: 'cluster',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const missing = clusterMissing();
    const s = shape(ctx.quick);
    const loadShape = [
      `Cluster: ${s.devices.toLocaleString('en')} devices over three RabbitMQ 3.10 nodes on loopback (MQTT plugin, auth through touchpoint engine-auth with RabbitMQ's cache), ${WORKERS} touchpoint fleet-worker processes on one SQLite file.`,
      `Each device: its own token, client id = device id, subscribes to its command and receipt topics, retained online presence. Then ~300-byte diagnostics at QoS 1, ${s.rate.toLocaleString('en')}/s offered in total (open loop, devices round-robin), ${s.windows} consecutive windows of ${s.windowS} s after ${s.warmupS} s of warm-up; latency from scheduled publish to the receipt naming the message; afterwards every sent id is counted in the store.`,
      `Then commands as in the commands suite (${ACTION.action} at ${RATE}/s, open loop, every device in turn, stub agents that verify the signature and answer accepted and succeeded), sent through a touchpoint api process on the cluster; a round trip ends when the succeeded, stored by a fleet worker, reaches that API process through the live channel. ${ctx.rounds} rounds.`,
      `Baseline: the embedded broker (touchpoint broker) with ${s.embeddedDevices.toLocaleString('en')} devices at the same rate, windows and command rounds. Ingest windows are the rounds of the ingest rows.`,
    ].join(' ');
    if (missing) return { suite: 'cluster', loadShape, rows: [], skipped: [missing] };
    const checks: string[] = [];
    const embeddedRun = await runEmbedded(ctx, s);
    const clusterRun = await runCluster(ctx, s, checks);
    const embedded = embeddedRun.windows;
    const cluster = clusterRun.windows;
    const { connectRows } = clusterRun;

    const per = (ws: Window[], f: (w: Window) => number) => ws.map(f);
    const rows: BenchRow[] = [];
    const paired = (
      metric: string,
      unit: string,
      f: (w: Window) => number,
      higherIsBetter: boolean,
      goal?: string,
      note?: string,
    ) =>
      rows.push({
        metric,
        unit,
        system: CLUSTER,
        rounds: per(cluster, f),
        baseline: { system: EMBEDDED, rounds: per(embedded, f) },
        higherIsBetter,
        ...(goal ? { goal } : {}),
        ...(note ? { note } : {}),
      });
    for (const c of connectRows)
      rows.push({
        metric: c.metric,
        unit: c.unit,
        system: CLUSTER,
        rounds: [c.value],
        higherIsBetter: !c.lowerIsBetter,
        ...(c.goal ? { goal: c.goal } : {}),
      });
    paired('diagnostics stored per second', 'msgs/s', (w) => w.ratePerS, true, '>= 3,000 for 5 min (issue 15)');
    const lag = Math.max(...cluster.map((w) => w.lagMs), ...embedded.map((w) => w.lagMs));
    paired(
      'publish → receipt p99',
      'ms',
      (w) => w.p99,
      false,
      '<= 250 ms (issue 15)',
      `largest load-generator lag behind its schedule: ${Math.round(lag)} ms`,
    );
    paired('publish → receipt p50', 'ms', (w) => w.p50, false);
    rows.push({
      metric: 'fleet-worker ingest per CPU-second (both workers)',
      unit: '/CPU-s',
      system: CLUSTER,
      rounds: per(cluster, (w) => (w.ingestCpuMs > 0 ? w.stored / (w.ingestCpuMs / 1000) : Number.NaN)),
      baseline: {
        system: `${EMBEDDED} (whole process)`,
        rounds: per(embedded, (w) =>
          w.ingestCpuMs > 0 ? (w.ratePerS * s.windowS) / (w.ingestCpuMs / 1000) : Number.NaN,
        ),
      },
      higherIsBetter: true,
      goal: '>= 10,000 per CPU-second (issue 15)',
      ...(ctx.quick
        ? { note: 'quick mode: the workers idle most of each window, so this counts their fixed costs; not meaningful' }
        : {}),
    });
    rows.push({
      metric: 'RabbitMQ CPU per 1,000 stored messages (three nodes)',
      unit: 'ms CPU',
      system: CLUSTER,
      rounds: per(cluster, (w) => (w.stored > 0 ? (w.engineCpuMs / w.stored) * 1000 : Number.NaN)),
      higherIsBetter: false,
    });
    const pct = (rounds: RoundResult[], p: number) =>
      rounds.map((r) =>
        r.latencies.length
          ? percentile(
              [...r.latencies].sort((a, b) => a - b),
              p,
            )
          : Number.NaN,
      );
    const commandLag = Math.max(...[...clusterRun.commands, ...embeddedRun.commands].map((r) => r.maxLagMs));
    for (const [p, goal] of [
      [99, '<= 50 ms (issue 15)'],
      [50, undefined],
    ] as const)
      rows.push({
        metric: `command round trip p${p} (${RATE}/s through the console API, until the stored succeeded reaches the API process)`,
        unit: 'ms',
        system: CLUSTER,
        rounds: pct(clusterRun.commands, p),
        baseline: { system: EMBEDDED, rounds: pct(embeddedRun.commands, p) },
        higherIsBetter: false,
        ...(goal ? { goal, note: `largest console-driver lag behind its schedule: ${Math.round(commandLag)} ms` } : {}),
      });
    rows.push({
      metric: 'commands lost',
      unit: 'commands',
      system: CLUSTER,
      rounds: clusterRun.commands.map((r) => r.lost),
      baseline: { system: EMBEDDED, rounds: embeddedRun.commands.map((r) => r.lost) },
      higherIsBetter: false,
      goal: '0',
    });
    rows.push({
      metric: 'reports lost (sent, never stored)',
      unit: 'msgs',
      system: CLUSTER,
      rounds: per(cluster, (w) => w.lost),
      higherIsBetter: false,
      goal: '0',
    });
    rows.push({
      metric: 'reports stored twice',
      unit: 'msgs',
      system: CLUSTER,
      rounds: per(cluster, (w) => w.duplicated),
      higherIsBetter: false,
      goal: '0',
    });
    const lost = cluster.reduce((n, w) => n + w.lost, 0);
    const twice = cluster.reduce((n, w) => n + w.duplicated, 0);
    if (lost > 0 || twice > 0) checks.push(`cluster: ${lost} reports lost, ${twice} stored twice`);
    return { suite: 'cluster', loadShape, rows, ...(checks.length ? { skipped: checks } : {}) };
  },
};
