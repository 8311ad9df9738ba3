import { ErrorCode } from '@touchpoint/protocol';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { sqliteStore } from '../src/db/sql-store.js';
import { Devices } from '../src/fleet/devices.js';
import { dataPaths } from '../src/options.js';
import { ApiClient } from './api-client.js';
import { cliCommand, refusingNode } from './cli-process.js';

// `touchpoint api` (issue 15) as an operator runs it. Against a real RabbitMQ cluster, with workers and a
// device, it is in test/cluster/api.test.ts; here: its usage errors, and what it does with no engine node.
const { dataDir, run, withServiceToken, start } = cliCommand('api');

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
    withServiceToken('a-token-no-engine-will-see');
    const node = await refusingNode();
    const api = start(['--amqp', node.url, '--http-port', '0']);
    let exit: number | null | undefined;
    try {
      await api.waitFor((log) => /Console\s+http/.test(log), 'the console served', 30_000);
      const log = api.log();
      expect(log).toMatch(/engine node not reachable/);
      const base = /Console\s+(http:\/\/\S+?)\/?\s/.exec(log)![1]!;
      const password = /one-time password: (\S+)/.exec(log)![1]!;
      const db = openDatabase(dataPaths(dataDir).database);
      try {
        await new Devices(sqliteStore(db)).provision('cm-1', 'coffee-machine', []);
      } finally {
        db.close();
      }
      const client = new ApiClient(base);
      await client.loginReady('admin', password);
      expect((await client.get('/api/devices')).status).toBe(200);
      const sent = await client.post<{ error: { code: string; message: string } }>('/api/devices/cm-1/commands', {
        action: 'descale',
        params: {},
      });
      expect(sent.status).toBe(503);
      expect(sent.body.error.code).toBe(ErrorCode.ENGINE_UNAVAILABLE);
      // Stored before the publish: the device gets it when it next comes online (a fleet worker resyncs it).
      const listed = await client.get<{ items: { status: string }[] }>('/api/devices/cm-1/commands');
      expect(listed.body.items.map((c) => c.status)).toEqual(['queued']);
    } finally {
      exit = await api.stop();
      node.server.close();
    }
    expect(exit).toBe(0);
    expect(api.log()).toMatch(/stopped \{/);
    expect(api.log(), 'the token never reaches the log').not.toMatch(/a-token-no-engine-will-see/);
  }, 60_000);
});
