import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Request/response over the Node IPC channel between the harness and its child
 * processes (brokers, load generators). Each child is a separate process so the
 * broker's CPU and RSS are its own and load generators stay under the per-process
 * open-file limit.
 */

type Request = { kind: 'call'; id: number; method: string; params: unknown };
type Response =
  { kind: 'result'; id: number; ok: true; value: unknown } | { kind: 'result'; id: number; ok: false; error: string };
type Ready = { kind: 'ready'; info: unknown };

export type Handlers = Record<string, (params: never) => unknown>;

const TSX = import.meta.resolve('tsx');

export interface SpawnOptions {
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[];
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/** A child process running a TypeScript entry file (through tsx) that serves `Handlers`. */
export class Child<Info = unknown> {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }
  >();
  private exited = false;
  readonly exitPromise: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly info: Info,
    readonly label: string,
  ) {
    this.exitPromise = new Promise((resolve) => {
      process.once('exit', (code) => {
        this.exited = true;
        for (const p of this.pending.values()) p.reject(new Error(`${label} exited (code ${code}) during ${p.method}`));
        this.pending.clear();
        resolve(code);
      });
    });
    process.on('message', (msg: Response) => {
      if (msg?.kind !== 'result') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(`${label}.${p.method}: ${msg.error}`));
    });
  }

  get pid(): number {
    return this.process.pid!;
  }

  static async spawn<Info>(entry: URL, label: string, options: SpawnOptions = {}): Promise<Child<Info>> {
    const proc = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), '--import', TSX, fileURLToPath(entry), ...(options.args ?? [])],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, ...options.env },
      },
    );
    const info = await new Promise<Info>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${label} exited with code ${code} before it was ready`));
      proc.once('exit', onExit);
      proc.once('error', reject);
      proc.on('message', function onReady(msg: Ready) {
        if (msg?.kind !== 'ready') return;
        proc.off('message', onReady);
        proc.off('exit', onExit);
        resolve(msg.info as Info);
      });
    });
    return new Child<Info>(proc, info, label);
  }

  call<T>(method: string, params: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.label} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      const req: Request = { kind: 'call', id, method, params };
      this.process.send(req);
    });
  }

  /** Asks the child to exit (so --cpu-prof can write its profile), then kills it if it does not. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exited) return;
    this.call('exit').catch(() => undefined);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.process.kill('SIGKILL');
  }
}

/** Child side: announce readiness with `info`, then answer calls until `exit`. */
export function serve(handlers: Handlers, info: unknown, onExit?: () => Promise<void> | void): void {
  const send = (msg: Response | Ready) => process.send?.(msg);
  process.on('message', (msg: Request) => {
    if (msg?.kind !== 'call') return;
    if (msg.method === 'exit') {
      void (async () => {
        try {
          await onExit?.();
        } finally {
          process.exit(0);
        }
      })();
      return;
    }
    const handler = handlers[msg.method];
    if (!handler) {
      send({ kind: 'result', id: msg.id, ok: false, error: `unknown method ${msg.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.params as never))
      .then(
        (value) => send({ kind: 'result', id: msg.id, ok: true, value }),
        (err: unknown) =>
          send({ kind: 'result', id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  // The harness going away must take its children with it.
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', info });
}
