import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TOUCHPOINT_DATA_DIR: dataDir },
  });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('touchpoint CLI (broker commands)', () => {
  it('explains a missing data directory', () => {
    const res = spawnSync(process.execPath, [bin, 'device', 'list', '--data-dir', join(dataDir, 'nope')], {
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/data directory .*nope does not exist/);
  });

  it('starts the broker, provisions devices and staff, and refuses a busy port by name', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as { port: number }).port;
    const busy = run('broker', '--mqtt-port', String(busyPort), '--http-port', '0');
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain(
      `MQTT port ${busyPort} on 127.0.0.1 is already in use; choose another with --mqtt-port N`,
    );
    blocker.close();

    const broker = spawn(
      process.execPath,
      [bin, 'broker', '--mqtt-port', '0', '--http-port', '0', '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    broker.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        broker.kill('SIGKILL');
        reject(new Error(`broker did not start: ${out}`));
      }, 20_000);
      broker.stdout.on('data', () => /one-time password: \S{20}\n/.test(out) && (clearTimeout(timer), resolve()));
    });
    try {
      expect(out).toMatch(/one-time password: \S{20}/);

      const added = run('device', 'add', 'cm-100', '--model', 'coffee-machine', '--json');
      expect(added.status).toBe(0);
      const creds = JSON.parse(added.stdout) as {
        deviceId: string;
        token: string;
        trustedKeys: { publicKeyPem: string }[];
      };
      expect(creds.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(creds.trustedKeys[0]?.publicKeyPem).toContain('BEGIN PUBLIC KEY');

      const duplicate = run('device', 'add', 'cm-100', '--model', 'coffee-machine');
      expect(duplicate.status).toBe(1);
      expect(duplicate.stderr).toContain('device cm-100 already exists (DUPLICATE)');

      const badId = run('device', 'add', 'cm/1', '--model', 'coffee-machine');
      expect(badId.status).toBe(1);
      expect(badId.stderr).toContain('ID_INVALID');

      const list = JSON.parse(run('device', 'list', '--json').stdout) as { total: number; items: { id: string }[] };
      expect(list.items.map((d) => d.id)).toEqual(['cm-100']);

      const staff = run('staff', 'add', 'alice', '--role', 'agent');
      expect(staff.status).toBe(0);
      expect(staff.stdout).toMatch(/Password \(shown once\): \S{20}/);
      // A bad value is a usage error: the usage text and exit 2 (issue 14).
      const badRole = run('staff', 'add', 'bob', '--role', 'king');
      expect(badRole.status).toBe(2);
      expect(badRole.stderr).toContain('Usage: touchpoint staff add');
    } finally {
      // Stop the broker even when an assertion above failed, so no process outlives the test.
      broker.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => broker.once('exit', resolve));
    expect(code).toBe(0);
    // Nine CLI processes and a broker, each a cold Node start: on a loaded 2-core machine that outgrows the
    // package's 20 s default.
  }, 90_000);

  it('prints usage for --help and exits 2 for an unknown command', () => {
    const help = run('device', 'add', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: touchpoint device add ID --model MODEL');
    expect(run('frobnicate').status).toBe(2);
  });
});
