import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@touchpoint/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { sqliteStore } from '../src/db/sql-store.js';
import { Devices } from '../src/fleet/devices.js';
import { dataPaths } from '../src/options.js';
import { ApiClient } from './api-client.js';

// `touchpoint api` (issue 15) as an operator runs it. Against a real RabbitMQ cluster, with workers and a
// device, it is in test/cluster/api.test.ts; here: its usage errors, and what it does with no engine node.
const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tp-api-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, 'api', '--data-dir', dataDir, ...args], { encoding: 'utf8' });

/** A port that answers TCP and closes at once: an engine node that is not speaking AMQP (down, or restarting). */
async function refusingNode(): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `amqp://127.0.0.1:${port}` };
}

describe('touchpoint api', () => {
  it(
    'prints its usage and exits 2 without --amqp, for credentials in a URL and a bad port',
    { timeout: 60_000 },
    () => {
      const none = run([]);
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/--amqp URL is required/);
      expect(none.stderr).toMatch(/Usage: touchpoint api/);
      const secret = run(['--amqp', 'amqp://service:hunter2@127.0.0.1:5672']);
      expect(secret.status).toBe(2);
      expect(secret.stderr).toMatch(/carry no credentials/);
      expect(secret.stderr, 'the secret is not echoed').not.toMatch(/hunter2/);
      const port = run(['--amqp', 'amqp://127.0.0.1:5672', '--http-port', '70000']);
      expect(port.status).toBe(2);
      expect(port.stderr).toMatch(/--http-port/);
    },
  );

  it('exits 1 and says what to do when the data folder has no service token', { timeout: 30_000 }, () => {
    const res = run(['--amqp', 'amqp://127.0.0.1:5672']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /no service token .* run touchpoint engine-auth \(or broker\) with this data folder first/,
    );
  });

  it('serves the console with no engine node; a command is stored and answered 503 ENGINE_UNAVAILABLE; SIGTERM stops it', async () => {
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'service-token'), 'a-token-no-engine-will-see\n', { mode: 0o600 });
    const node = await refusingNode();
    const child = spawn(process.execPath, [bin, 'api', '--amqp', node.url, '--data-dir', dataDir, '--http-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          log += chunk.toString();
          if (/Console\s+http/.test(log)) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`api exited (${code}) while starting: ${log}`)));
        setTimeout(() => reject(new Error(`not serving within 30 s: ${log}`)), 30_000).unref();
      });
      expect(log).toMatch(/engine node not reachable/);
      const base = /Console\s+(http:\/\/\S+?)\/?\s/.exec(log)![1]!;
      const password = /one-time password: (\S+)/.exec(log)![1]!;
      const db = openDatabase(dataPaths(dataDir).database);
      try {
        await new Devices(sqliteStore(db)).provision('cm-1', 'coffee-machine', []);
      } finally {
        db.close();
      }
      const api = new ApiClient(base);
      await api.loginReady('admin', password);
      expect((await api.get('/api/devices')).status).toBe(200);
      const sent = await api.post<{ error: { code: string; message: string } }>('/api/devices/cm-1/commands', {
        action: 'descale',
        params: {},
      });
      expect(sent.status).toBe(503);
      expect(sent.body.error.code).toBe(ErrorCode.ENGINE_UNAVAILABLE);
      // Stored before the publish: the device gets it when it next comes online (a fleet worker resyncs it).
      const listed = await api.get<{ items: { status: string }[] }>('/api/devices/cm-1/commands');
      expect(listed.body.items.map((c) => c.status)).toEqual(['queued']);
    } finally {
      child.kill('SIGTERM');
      node.server.close();
    }
    expect(await exited).toBe(0);
    expect(log).toMatch(/stopped \{/);
    expect(log, 'the token never reaches the log').not.toMatch(/a-token-no-engine-will-see/);
  }, 60_000);
});
