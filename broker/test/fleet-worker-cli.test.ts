import { describe, expect, it } from 'vitest';
import { cliCommand, refusingNode } from './cli-process.js';

// `touchpoint fleet-worker` (issue 15) as an operator runs it; the worker against a real RabbitMQ
// cluster is in test/cluster/fleet-worker.test.ts.
const { run, withServiceToken, start } = cliCommand('fleet-worker');

describe('touchpoint fleet-worker', () => {
  it(
    'prints its usage and exits 2 without --amqp, for credentials in a URL, and for a bad prefetch',
    { timeout: 60_000 },
    () => {
      const none = run([]);
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/--amqp URL is required/);
      expect(none.stderr).toMatch(/Usage: touchpoint fleet-worker/);
      const secret = run(['--amqp', 'amqp://service:hunter2@127.0.0.1:5672']);
      expect(secret.status).toBe(2);
      expect(secret.stderr).toMatch(/carry no credentials/);
      expect(secret.stderr, 'the secret is not echoed').not.toMatch(/hunter2/);
      const prefetch = run(['--amqp', 'amqp://127.0.0.1:5672', '--prefetch', '0']);
      expect(prefetch.status).toBe(2);
      expect(prefetch.stderr).toMatch(/--prefetch/);
      // Issue 15: the PostgreSQL store's URL; a password would show in the process list.
      const dbSecret = run([
        '--amqp',
        'amqp://127.0.0.1:5672',
        '--database-url',
        'postgres://tp:hunter2@127.0.0.1/fleet',
      ]);
      expect(dbSecret.status).toBe(2);
      expect(dbSecret.stderr).toMatch(/--database-url carries no password/);
      expect(dbSecret.stderr, 'the secret is not echoed').not.toMatch(/hunter2/);
      const notPostgres = run(['--amqp', 'amqp://127.0.0.1:5672', '--database-url', 'mysql://127.0.0.1/fleet']);
      expect(notPostgres.status).toBe(2);
      expect(notPostgres.stderr).toMatch(/must be a postgres:\/\/ URL/);
    },
  );

  it('exits 1 and says what to do when the data folder has no service token', { timeout: 30_000 }, () => {
    const res = run(['--amqp', 'amqp://127.0.0.1:5672']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /no service token .* run touchpoint engine-auth \(or broker\) with this data folder first/,
    );
  });

  it('tries the next node with backoff while none answers, and stops on SIGTERM', async () => {
    withServiceToken('a-token-no-engine-will-see');
    const [one, two] = [await refusingNode(), await refusingNode()];
    const worker = start(['--amqp', one.url, '--amqp', two.url]);
    let exit: number | null | undefined;
    try {
      // Both nodes tried, and the first again after them: it moves on and keeps trying.
      await worker.waitFor(
        (log) =>
          log.includes(one.url.slice(7)) &&
          log.includes(two.url.slice(7)) &&
          (log.match(/engine node not reachable/g) ?? []).length >= 3,
        'retry on both nodes',
        20_000,
      );
    } finally {
      exit = await worker.stop();
      one.server.close();
      two.server.close();
    }
    expect(exit).toBe(0);
    expect(worker.log(), 'the token never reaches the log').not.toMatch(/a-token-no-engine-will-see/);
  }, 30_000);

  it('waits with backoff while its PostgreSQL cannot be reached, never exits on it, and stops on SIGTERM', async () => {
    withServiceToken('a-token-no-engine-will-see');
    const [engine, database] = [await refusingNode(), await refusingNode()];
    const databaseUrl = `postgres://tp:db-secret@${database.url.slice('amqp://'.length)}/fleet`;
    // The password comes through the environment, as the docs say, never the command line.
    const worker = start(['--amqp', engine.url], { ...process.env, TOUCHPOINT_DATABASE_URL: databaseUrl });
    let exit: number | null | undefined;
    try {
      await worker.waitFor(
        (log) => (log.match(/database unavailable; retrying/g) ?? []).length >= 3,
        'three database retries',
        20_000,
      );
    } finally {
      exit = await worker.stop();
      engine.server.close();
      database.server.close();
    }
    expect(exit).toBe(0);
    const log = worker.log();
    expect(log, 'no engine connection before the store is open').not.toMatch(/engine node not reachable/);
    expect(log, 'the password never reaches the log').not.toMatch(/db-secret/);
    expect(log).toMatch(/postgres:\/\/tp:\*\*\*@127\.0\.0\.1/);
  }, 30_000);
});
