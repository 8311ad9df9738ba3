/**
 * A throwaway PostgreSQL server on loopback for the scale-out tests and benchmarks (issue 15,
 * "the tests start ... a PostgreSQL instance on loopback ports in temp folders, and stop them"):
 * Debian's PostgreSQL 15 binaries, `initdb` into a temp folder (trust auth for one test superuser),
 * `postgres` listening on 127.0.0.1 only, on a free port, with its unix socket in the temp folder,
 * so it never meets the system service or another test's server. One database is created.
 *
 * initdb and postgres refuse to run as root, and CI runs the tests as root: then the server runs as
 * the `postgres` system user the Debian package creates (spawn's uid/gid, which also drops root's
 * supplementary groups), and the temp folder is handed to that user.
 *
 * The server can be shut down and started again on the same folder and port (`shutdown()` then
 * `start()`), as the "restart PostgreSQL during ingest" drill needs; `stop()` shuts it down and
 * removes the folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where Debian's postgresql-15 package puts the server binaries (not on PATH). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** What to tell whoever runs the tests when the binaries are not in `binDir`. */
export function postgresInstallHint(binDir: string = POSTGRES_BIN): string {
  return `PostgreSQL 15 is not installed (${join(binDir, 'postgres')} missing): apt-get install postgresql (.ci/run installs it)`;
}

/** True when the Debian package's server binaries are present. */
export function postgresInstalled(binDir: string = POSTGRES_BIN): boolean {
  return existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'postgres'));
}

export interface PostgresOptions {
  /** Where initdb and postgres are (default Debian's PostgreSQL 15 folder). */
  binDir?: string;
  /** The test superuser (trust auth; default `tp`). */
  user?: string;
  /** The database created on first start (default `touchpoint`). */
  database?: string;
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: '200' }`. */
  settings?: Readonly<Record<string, string>>;
  /** Longest wait for the server to accept connections, per start (default 60 s, a loaded 2-core machine). */
  timeoutMs?: number;
}

export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** The temp folder: `data/` (the cluster), `sock/` (the unix socket), `postgres.log`. */
  readonly dir: string;
  /** `postgres://user@127.0.0.1:port/database`, for pg and Kysely's PostgresDialect. */
  readonly connectionString: string;
  /** Wall time of the last start (spawn to the first accepted query), in ms. */
  readonly startMs: number;
  /** The postmaster's pid while it runs. */
  pid(): number | undefined;
  /** Fast shutdown (SIGINT: open sessions are ended, then a checkpoint); the folder stays for `start()`. */
  shutdown(): Promise<void>;
  /** Starts the server again on the same folder and port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Shuts the server down and removes the folder; safe to call twice. */
  stop(): Promise<void>;
  /** The last lines of the server log, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** The uid/gid to run the server as: ours, or the `postgres` system user when we are root. */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and PostgreSQL refuses root: no `postgres` system user to run it as (apt-get install postgresql creates it)',
    );
  }
}

function runAs(
  file: string,
  args: readonly string[],
  identity: { uid: number; gid: number } | undefined,
  cwd: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd,
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...identity,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

/** Resolves when the process has exited, or false after `ms`. */
function exitedWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? POSTGRES_BIN;
  if (!postgresInstalled(binDir)) throw new Error(postgresInstallHint(binDir));
  const user = options.user ?? 'tp';
  const database = options.database ?? 'touchpoint';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const identity = serverIdentity();
  const dir = await mkdtemp(join(tmpdir(), 'tp-pg-'));
  const dataDir = join(dir, 'data');
  const sockDir = join(dir, 'sock');
  const logFile = join(dir, 'postgres.log');
  await mkdir(sockDir);
  if (identity) {
    await chown(dir, identity.uid, identity.gid);
    await chown(sockDir, identity.uid, identity.gid);
  }
  const port = await freePort();
  const connectionString = `postgres://${user}@127.0.0.1:${port}/${database}`;
  let child: ChildProcess | undefined;
  let startMs = 0;
  let removed = false;

  const logTail = async (lines = 30) => {
    const text = await readFile(logFile, 'utf8').catch(() => '(no log)');
    return text.split('\n').slice(-lines).join('\n');
  };

  /** One query on a fresh connection; true when the server answered. */
  const answers = async (db: string): Promise<boolean> => {
    const client = new pg.Client({ host: '127.0.0.1', port, user, database: db, connectionTimeoutMillis: 2_000 });
    // A refused connection is also reported as an 'error' event on some paths; the promise carries it.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null)
      throw new Error(`PostgreSQL on port ${port} is already running`);
    const began = Date.now();
    const settings = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: sockDir,
      // stderr goes to postgres.log (opened below), not a log folder inside the cluster.
      logging_collector: 'off',
      ...options.settings,
    };
    const logFd = openSync(logFile, 'a');
    try {
      child = spawn(
        join(binDir, 'postgres'),
        ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
          // Its own process group: a Ctrl-C in the terminal running the tests does not reach it first.
          detached: true,
          stdio: ['ignore', logFd, logFd],
          ...identity,
        },
      );
    } finally {
      closeSync(logFd);
    }
    const running = child;
    const deadline = began + timeoutMs;
    while (!(await answers('postgres'))) {
      if (running.exitCode !== null || running.signalCode !== null)
        throw new Error(`PostgreSQL exited during start (port ${port}):\n${await logTail(40)}`);
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL did not accept connections on port ${port} within ${timeoutMs} ms:\n${await logTail(40)}`,
        );
      await delay(100);
    }
    startMs = Date.now() - began;
  };

  const shutdown = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    // SIGINT is PostgreSQL's fast shutdown; SIGQUIT (immediate) and SIGKILL only if it hangs.
    running.kill('SIGINT');
    if (await exitedWithin(running, 30_000)) return;
    running.kill('SIGQUIT');
    if (await exitedWithin(running, 10_000)) return;
    running.kill('SIGKILL');
    await exitedWithin(running, 10_000);
  };

  const stop = async () => {
    await shutdown();
    if (removed) return;
    removed = true;
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // --no-sync: a throwaway cluster need not survive a power cut; the server itself keeps fsync on.
    await runAs(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      identity,
      dir,
    );
    await start();
    const admin = new pg.Client({ host: '127.0.0.1', port, user, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    user,
    database,
    dir,
    connectionString,
    get startMs() {
      return startMs;
    },
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    shutdown,
    start,
    stop,
    logTail,
  };
}
