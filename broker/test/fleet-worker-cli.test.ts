import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `touchpoint fleet-worker` (issue 15) as an operator runs it; the worker against a real RabbitMQ
// cluster is in test/cluster/fleet-worker.test.ts.
const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tp-fleet-worker-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, 'fleet-worker', '--data-dir', dataDir, ...args], { encoding: 'utf8' });

/** A port that answers TCP and closes at once: an engine node that is not speaking AMQP (down, or restarting). */
async function refusingNode(): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `amqp://127.0.0.1:${port}` };
}

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
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'service-token'), 'a-token-no-engine-will-see\n', { mode: 0o600 });
    const [one, two] = [await refusingNode(), await refusingNode()];
    const child = spawn(
      process.execPath,
      [bin, 'fleet-worker', '--amqp', one.url, '--amqp', two.url, '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const seen = () => log.includes(one.url.slice(7)) && log.includes(two.url.slice(7));
        const onData = (chunk: Buffer) => {
          log += chunk.toString();
          // Both nodes tried, and the first again after them: it moves on and keeps trying.
          if (seen() && (log.match(/engine node not reachable/g) ?? []).length >= 3) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`fleet-worker exited (${code}) while retrying: ${log}`)));
        setTimeout(() => reject(new Error(`no retry on both nodes within 20 s: ${log}`)), 20_000).unref();
      });
    } finally {
      child.kill('SIGTERM');
      one.server.close();
      two.server.close();
    }
    expect(await exited).toBe(0);
    expect(log, 'the token never reaches the log').not.toMatch(/a-token-no-engine-will-see/);
  }, 30_000);

  it('waits with backoff while its PostgreSQL cannot be reached, never exits on it, and stops on SIGTERM', async () => {
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'service-token'), 'a-token-no-engine-will-see\n', { mode: 0o600 });
    const [engine, database] = [await refusingNode(), await refusingNode()];
    const databaseUrl = `postgres://tp:db-secret@${database.url.slice('amqp://'.length)}/fleet`;
    const child = spawn(process.execPath, [bin, 'fleet-worker', '--amqp', engine.url, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The password comes through the environment, as the docs say, never the command line.
      env: { ...process.env, TOUCHPOINT_DATABASE_URL: databaseUrl },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          log += chunk.toString();
          if ((log.match(/database unavailable; retrying/g) ?? []).length >= 3) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`fleet-worker exited (${code}) while waiting: ${log}`)));
        setTimeout(() => reject(new Error(`no three database retries within 20 s: ${log}`)), 20_000).unref();
      });
    } finally {
      child.kill('SIGTERM');
      engine.server.close();
      database.server.close();
    }
    expect(await exited).toBe(0);
    expect(log, 'no engine connection before the store is open').not.toMatch(/engine node not reachable/);
    expect(log, 'the password never reaches the log').not.toMatch(/db-secret/);
    expect(log).toMatch(/postgres:\/\/tp:\*\*\*@127\.0\.0\.1/);
  }, 30_000);
});
