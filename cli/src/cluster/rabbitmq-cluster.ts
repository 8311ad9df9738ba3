/**
 * A RabbitMQ cluster of real nodes on loopback for the scale-out tests (issue 15): each node gets
 * free ports (AMQP, MQTT, Erlang distribution), its own folders (data, logs, plugins), and the
 * cluster its own Erlang cookie and epmd port (ERL_EPMD_PORT), so it never meets the system
 * service or another test's nodes. The first node boots alone; the others join it on first boot
 * through classic peer discovery (no `rabbitmqctl join_cluster` round trips). Readiness is polled:
 * each node's MQTT listener (opened last in the boot), then `rabbitmqctl cluster_status`.
 *
 * Start it once per test file: a three-node start costs several CPU-seconds. `touchpoint demo --cluster`
 * runs the same cluster for a presenter (issue 15), which is why it lives in the CLI; the tests import it
 * through `test/helpers/rabbitmq-cluster.ts`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Where Debian's rabbitmq-server package puts the scripts (the /usr/sbin wrappers switch to the rabbitmq user). */
export const RABBITMQ_BIN = '/usr/lib/rabbitmq/bin';
const serverOf = (binDir: string) => join(binDir, 'rabbitmq-server');
const ctlOf = (binDir: string) => join(binDir, 'rabbitmqctl');
const EPMD_CANDIDATES = ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd'];

/** The plugins every node enables: the MQTT plugin and the HTTP auth backend with its cache. */
export const CLUSTER_PLUGINS = ['rabbitmq_mqtt', 'rabbitmq_auth_backend_http', 'rabbitmq_auth_backend_cache'];

/** True when the Debian package is installed (in `binDir`, default Debian's folder). */
export function rabbitmqInstalled(binDir: string = RABBITMQ_BIN): boolean {
  return existsSync(serverOf(binDir)) && existsSync(ctlOf(binDir));
}

export interface RabbitNode {
  /** Erlang node name, e.g. `tp1-ab12cd@localhost`. */
  readonly name: string;
  readonly amqpPort: number;
  readonly mqttPort: number;
  readonly distPort: number;
  readonly dir: string;
  /** The MQTT URL for MQTT.js clients. */
  readonly mqttUrl: string;
}

export interface RabbitClusterOptions {
  /** Number of nodes (default 3). */
  size?: number;
  /** Extra rabbitmq.conf lines for every node (auth backends, MQTT settings). */
  config?: readonly string[];
  /** Longest wait for the whole cluster (default 120 s: three boots on a loaded 2-core machine). */
  timeoutMs?: number;
  /** The folder of `rabbitmq-server` and `rabbitmqctl` (default Debian's, /usr/lib/rabbitmq/bin). */
  binDir?: string;
  /** Called with each boot step and its elapsed time (for reports; the tests leave it out). */
  progress?: (step: string, elapsedMs: number) => void;
}

export interface RabbitCluster {
  readonly nodes: readonly RabbitNode[];
  /** Wall time from the first spawn to a cluster with every node running, in ms. */
  readonly startMs: number;
  /** Runs rabbitmqctl against a node with the cluster's cookie and epmd port. */
  ctl(node: RabbitNode, args: readonly string[]): Promise<string>;
  /** The last lines of a node's log, for failure messages. */
  logTail(node: RabbitNode, lines?: number): Promise<string>;
  /** Stops every node and epmd, and removes the folders; safe to call twice. */
  stop(): Promise<void>;
  /** After stop(): the pids of the cluster's processes still running (none, unless stopping failed). */
  leftovers(): number[];
  /** `kill -9` one node and everything it started (a failure drill); the others keep running. */
  killNode(node: RabbitNode): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports (each bound and released; distinct so one node never gets another's). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** True when something accepts a TCP connection on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr || stdout}`));
      else resolve(stdout);
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface NodeProcess {
  node: RabbitNode;
  child: ChildProcess;
  exited: Promise<number | null>;
  env: NodeJS.ProcessEnv;
}

export async function startRabbitCluster(options: RabbitClusterOptions = {}): Promise<RabbitCluster> {
  const binDir = options.binDir ?? RABBITMQ_BIN;
  const serverScript = serverOf(binDir);
  const ctlScript = ctlOf(binDir);
  if (!rabbitmqInstalled(binDir)) throw new Error(`rabbitmq-server is not installed (${serverScript} missing)`);
  const size = options.size ?? 3;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const root = await mkdtemp(join(tmpdir(), 'tp-rabbit-'));
  const tag = randomBytes(3).toString('hex');
  // Three ports per node, the epmd port, and a block of 11 for the CLI tools' own distribution.
  const ports = await freePorts(size * 3 + 1 + 11);
  const epmdPort = ports.pop()!;
  const ctlPorts = ports.splice(size * 3);
  const ctlMin = Math.min(...ctlPorts);
  const cookie = randomBytes(20).toString('hex');
  const nodes: RabbitNode[] = [];
  for (let i = 0; i < size; i++) {
    const [amqpPort, mqttPort, distPort] = ports.slice(i * 3, i * 3 + 3) as [number, number, number];
    nodes.push({
      name: `tp${i + 1}-${tag}@localhost`,
      amqpPort,
      mqttPort,
      distPort,
      dir: join(root, `node${i + 1}`),
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    });
  }
  const home = join(root, 'home');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, '.erlang.cookie'), cookie);
  await chmod(join(home, '.erlang.cookie'), 0o600);

  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    // The cookie file is read from HOME by the nodes and by rabbitmqctl alike.
    HOME: home,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    // The CLI's own distribution listener: a range, so parallel rabbitmqctl calls do not collide.
    RABBITMQ_CTL_DIST_PORT_MIN: String(ctlMin),
    RABBITMQ_CTL_DIST_PORT_MAX: String(ctlMin + 10),
  };
  const envOf = (node: RabbitNode): NodeJS.ProcessEnv => ({
    ...baseEnv,
    RABBITMQ_NODENAME: node.name,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(node.amqpPort),
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(node.dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(node.dir, 'log'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(node.dir, 'plugins-expand'),
    RABBITMQ_PID_FILE: join(node.dir, 'rabbit.pid'),
    RABBITMQ_LOGS: join(node.dir, 'log', 'rabbit.log'),
    // Idle Erlang schedulers spin for work by default; three nodes on two shared cores would burn about
    // a core doing so. RabbitMQ's docs recommend turning the busy-wait off where cores are shared.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+sbwt none +sbwtdcpu none +sbwtdio none',
  });

  const processes: NodeProcess[] = [];
  /** Every process the cluster ran (the VMs, their helpers, epmd), for stop() and leftovers(). */
  const tracked = new Set<number>();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // SIGTERM makes the Erlang VM stop gracefully (init:stop). The start script is a shell that does not
    // exec the VM, and the VM's helpers (erl_child_setup, inet_gethost) have process groups of their own,
    // so every descendant is recorded first and waited for by pid.
    await Promise.all(
      processes.map(async (p) => {
        const pids = p.child.pid === undefined ? [] : descendants(p.child.pid);
        for (const pid of pids) tracked.add(pid);
        signalGroup(p.child, 'SIGTERM');
        if (!(await allGone(pids, 20_000))) {
          signalGroup(p.child, 'SIGKILL');
          for (const pid of pids) killQuietly(pid, 'SIGKILL');
          await allGone(pids, 10_000);
        }
        await p.exited;
      }),
    );
    // epmd daemonises itself (its own session): stopped by its port, then by pid if it lingers.
    const epmdPids = epmdOn(epmdPort);
    for (const pid of epmdPids) tracked.add(pid);
    const epmd = EPMD_CANDIDATES.find((p) => existsSync(p)) ?? 'epmd';
    await run(epmd, ['-kill'], baseEnv, 10_000).catch(() => undefined);
    if (!(await allGone(epmdPids, 5_000))) for (const pid of epmdPids) killQuietly(pid, 'SIGKILL');
    await allGone(epmdPids, 5_000);
    await rm(root, { recursive: true, force: true });
  };
  const leftovers = () => [...tracked].filter(alive);
  const killNode = async (node: RabbitNode) => {
    const p = processes.find((x) => x.node === node);
    if (!p?.child.pid) throw new Error(`${node.name} is not one of this cluster's running nodes`);
    const pids = descendants(p.child.pid);
    for (const pid of pids) {
      tracked.add(pid);
      killQuietly(pid, 'SIGKILL');
    }
    await allGone(pids, 10_000);
    await p.exited;
  };

  const startNode = async (node: RabbitNode, seed: RabbitNode | undefined) => {
    await mkdir(join(node.dir, 'log'), { recursive: true });
    const conf = [
      `listeners.tcp.default = 127.0.0.1:${node.amqpPort}`,
      `mqtt.listeners.tcp.default = 127.0.0.1:${node.mqttPort}`,
      // A fresh node joins the seed on its first boot (classic peer discovery); the seed boots alone.
      ...(seed
        ? [
            'cluster_formation.peer_discovery_backend = classic_config',
            `cluster_formation.classic_config.nodes.1 = ${seed.name}`,
          ]
        : []),
      ...(options.config ?? []),
    ];
    await writeFile(join(node.dir, 'rabbitmq.conf'), conf.join('\n') + '\n');
    // Peer discovery in 3.10 waits a random 5-60 s before joining unless told otherwise.
    await writeFile(
      join(node.dir, 'advanced.config'),
      '[{rabbit, [{cluster_formation, [{randomized_startup_delay_range, {0, 1}}]}]}].\n',
    );
    await writeFile(join(node.dir, 'enabled_plugins'), `[${CLUSTER_PLUGINS.join(',')}].\n`);
    const env = envOf(node);
    const child = spawn(serverScript, [], { env, cwd: node.dir, detached: true, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    processes.push({ node, child, exited, env });
    let gone = false;
    void exited.then(() => (gone = true));
    while (!(await accepts(node.mqttPort))) {
      if (gone) throw new Error(`RabbitMQ node ${node.name} exited during boot:\n${await tail(node, 40)}`);
      if (Date.now() > deadline)
        throw new Error(
          `RabbitMQ node ${node.name} not listening on MQTT after ${timeoutMs} ms:\n${await tail(node, 40)}`,
        );
      await delay(200);
    }
  };

  const tail = async (node: RabbitNode, lines = 30) => {
    const text = await readFile(join(node.dir, 'log', 'rabbit.log'), 'utf8').catch(() => '(no log)');
    return text.split('\n').slice(-lines).join('\n');
  };
  const ctl = (node: RabbitNode, args: readonly string[]) =>
    run(ctlScript, ['-n', node.name, ...args], { ...baseEnv, RABBITMQ_NODENAME: node.name }, 60_000);

  const started = Date.now();
  try {
    const [seed, ...rest] = nodes as [RabbitNode, ...RabbitNode[]];
    const step = (name: string) => options.progress?.(name, Date.now() - started);
    await startNode(seed, undefined);
    step(`${seed.name} running`);
    await Promise.all(
      rest.map(async (node) => {
        await startNode(node, seed);
        step(`${node.name} running`);
      }),
    );
    // Every node listening is not yet one cluster: wait until the seed sees all of them running.
    for (;;) {
      const status = JSON.parse(await ctl(seed, ['cluster_status', '--formatter', 'json'])) as {
        running_nodes?: string[];
      };
      const running = status.running_nodes ?? [];
      if (nodes.every((n) => running.includes(n.name))) break;
      if (Date.now() > deadline)
        throw new Error(`cluster did not form within ${timeoutMs} ms; running: ${running.join(', ') || 'none'}`);
      await delay(500);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const startMs = Date.now() - started;
  return { nodes, startMs, ctl, logTail: tail, stop, leftovers, killNode };
}

interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
}

/** The process table from /proc (Linux): pid, parent and command name. */
function processTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name sits in parentheses and may hold spaces; the fields after it start with state, ppid.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      });
    } catch {
      // The process ended while the folder was read.
    }
  }
  return out;
}

/** A process and everything it started, however they regrouped. */
function descendants(root: number): number[] {
  const table = processTable();
  const found = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table)
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
  }
  return [...found];
}

/** The epmd serving this cluster's port: its environment carries ERL_EPMD_PORT. */
function epmdOn(port: number): number[] {
  return processTable()
    .filter((p) => p.comm === 'epmd')
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\u0000').includes(`ERL_EPMD_PORT=${port}`);
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}

/** Running, and not a zombie waiting for a parent that is not ours to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

async function allGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > until) return false;
    await delay(100);
  }
  return true;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
