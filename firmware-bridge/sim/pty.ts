import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** Link to one end: give this to the bridge. */
  a: string;
  /** Link to the other end: the (virtual) MCU opens this. */
  b: string;
  readonly process: ChildProcess;
  /** Stops socat, which removes both pty devices and links: to the bridge this is an unplug. */
  kill(): Promise<void>;
  /** kill(), plus removal of the temp dir if openPtyPair made it. */
  close(): Promise<void>;
}

/**
 * A pseudo-terminal pair via socat: `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`. Bytes written
 * to one end come out of the other, like a null-modem cable. Pass the same paths again to "replug".
 */
export async function openPtyPair(options: { a?: string; b?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const dir = options.a && options.b ? undefined : await mkdtemp(join(tmpdir(), 'tp-pty-'));
  const a = options.a ?? join(dir as string, 'bridge');
  const b = options.b ?? join(dir as string, 'mcu');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanupDir = async (): Promise<void> => {
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const close = async (): Promise<void> => {
    await kill();
    await cleanupDir();
  };
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  // socat prints "starting data transfer loop" once both ends exist.
  while (!stderr.includes('starting data transfer loop') || !(await exists(a)) || !(await exists(b))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`socat did not create the pty pair: ${stderr.trim() || 'timeout'} (is socat installed?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { a, b, process: child, kill, close };
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
