import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The real `touchpoint` binary, as an operator runs it. */
export const TOUCHPOINT_BIN = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));

/** A service process of the CLI while it runs: its output so far, and a wait on it. */
export interface CliChild {
  /** stdout and stderr so far, interleaved as they came. */
  log(): string;
  /** Resolves when `done(log)` holds; rejects when the process exits first or `timeoutMs` passes. */
  waitFor(done: (log: string) => boolean, what: string, timeoutMs: number): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `touchpoint <command> --data-dir <scratch>` for one test file: a scratch data folder removed after the file,
 * `run` for usage checks, and `start` for the long-running service.
 */
export function cliCommand(command: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `tp-${command}-cli-`));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  return {
    dataDir,
    run(args: string[]): SpawnSyncReturns<string> {
      return spawnSync(process.execPath, [TOUCHPOINT_BIN, command, '--data-dir', dataDir, ...args], {
        encoding: 'utf8',
      });
    },
    /** Writes a service token, as engine-auth or the broker would have, so the service gets past its start. */
    withServiceToken(token: string): void {
      mkdirSync(join(dataDir, 'keys'), { recursive: true });
      writeFileSync(join(dataDir, 'keys', 'service-token'), `${token}\n`, { mode: 0o600 });
    },
    start(args: string[], env: NodeJS.ProcessEnv = process.env): CliChild {
      const child = spawn(process.execPath, [TOUCHPOINT_BIN, command, ...args, '--data-dir', dataDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let log = '';
      const listeners = new Set<() => void>();
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        for (const listener of listeners) listener();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      return {
        log: () => log,
        waitFor(done, what, timeoutMs) {
          return new Promise<void>((resolve, reject) => {
            const check = () => {
              if (!done(log)) return;
              listeners.delete(check);
              resolve();
            };
            listeners.add(check);
            check();
            void exited.then((code) => reject(new Error(`${command} exited (${code}) before ${what}: ${log}`)));
            setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s: ${log}`)), timeoutMs).unref();
          });
        },
        stop() {
          child.kill('SIGTERM');
          return exited;
        },
      };
    },
  };
}

/** A port that answers TCP and closes at once: an engine node that is not speaking AMQP (down, or restarting). */
export async function refusingNode(): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `amqp://127.0.0.1:${port}` };
}
