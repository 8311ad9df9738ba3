import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StaffApi } from '../console/helpers.js';
import { rabbitmqInstalled } from '../helpers/rabbitmq-cluster.js';
import { eventually } from '../helpers/virtual-device.js';
import { alive, descendants, startTimes } from './process-tree.js';

// Issue 15: `touchpoint demo --cluster` runs the cluster mode on one machine with one command, and says what
// is missing (with the apt-get line) when RabbitMQ is not installed. The real command, as a user runs it.
const root = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(root, 'cli', 'bin', 'touchpoint.js');

interface Run {
  output(): string;
  exited: Promise<number | null>;
  pid: number;
  signal(sig: NodeJS.Signals): void;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  let text = '';
  proc.stdout.on('data', (c: Buffer) => (text += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (text += c.toString()));
  return {
    output: () => text,
    exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))),
    pid: proc.pid!,
    signal: (sig) => proc.kill(sig),
  };
}

const running: Run[] = [];
afterAll(async () => {
  for (const r of running) r.signal('SIGINT');
  await Promise.all(running.map((r) => r.exited));
}, 120_000);

describe('touchpoint demo --cluster', () => {
  it('says what is missing, with the apt-get line, and exits 1 when rabbitmq-server is not installed', async () => {
    const r = run(['demo', '--cluster'], { TP_RABBITMQ_BIN: join(root, 'no-rabbitmq-here') });
    expect(await r.exited).toBe(1);
    expect(r.output()).toContain('RabbitMQ is not installed');
    expect(r.output()).toContain('sudo apt-get install rabbitmq-server');
    expect(r.output()).toContain('PostgreSQL is optional for now');
    expect(r.output()).toContain('npx touchpoint demo');
  });

  it('runs engine-auth, three engine nodes, two workers, an API process and a simulated device that shows online through the API; Ctrl-C stops all of it', async () => {
    if (!rabbitmqInstalled())
      throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server (.ci/run installs it)');
    const r = run(['demo', '--cluster', '--devices', '1', '--http-port', '0', '--ui-port', '0', '--serial', 'memory']);
    running.push(r);
    await eventually(
      // The summary's last line, so every line before it is in.
      () => r.output().includes('Press Ctrl-C to stop everything.') || r.output().includes('touchpoint demo:'),
      'the cluster demo ready',
      200_000,
    );
    const out = r.output();
    expect(out, out).toContain('Touchpoint cluster is ready');
    const dataDir = /data and logs in (\S+)/.exec(out)![1]!;
    const url = /Console:\s+(http:\/\/\S+?)\/?\s/.exec(out)![1]!;
    const password = /Login:\s+admin \/ (\S+)/.exec(out)![1]!;
    expect(out).toMatch(/Engine:\s+mqtt:\/\/127\.0\.0\.1:\d+ \(AMQP \d+\), mqtt:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('2 fleet workers, 1 API process');
    const staff = new StaffApi(url);
    await staff.loginReady('admin', password);
    await eventually(
      async () => {
        const { body } = await staff.get('/api/devices');
        return (body as { items: { id: string; online: boolean }[] }).items.some(
          (d) => d.id === 'coffee-machine-01' && d.online,
        );
      },
      'coffee-machine-01 online through the API process',
      60_000,
    );
    const tree = descendants(r.pid);
    const started = startTimes(tree);
    // Three Erlang VMs (and their helpers), two workers and the API process.
    expect(tree.length).toBeGreaterThanOrEqual(6);
    r.signal('SIGINT');
    expect(await r.exited).toBe(0);
    expect(existsSync(dataDir), 'the temp folder is removed').toBe(false);
    // A node's helpers (epmd, erl_child_setup) end a moment after the VM they served: bounded wait.
    await eventually(
      () => tree.every((pid) => !alive(pid, started)),
      `no process of the demo left (still running: ${tree.filter((pid) => alive(pid, started)).join(', ')})`,
      15_000,
    );
  }, 300_000);
});
