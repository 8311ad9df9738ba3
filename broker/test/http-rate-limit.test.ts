import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import { FailureLimiter } from '../src/fleet/login-failures.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-failures-'));
const dbs: Db[] = [];
let n = 0;
/** A fresh SQLite file, or a second connection to an existing one. */
function database(file = `fleet-${n++}.db`): Db {
  const db = openDatabase(join(dir, file));
  dbs.push(db);
  return db;
}
afterAll(() => {
  for (const db of dbs.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('FailureLimiter', () => {
  it('blocks a key after max failures within the window until the oldest ages out', () => {
    const limiter = new FailureLimiter(database(), 3, 1000);
    expect(limiter.retryAfter('a', 0)).toBe(0);
    limiter.fail('a', 0);
    limiter.fail('a', 100);
    expect(limiter.retryAfter('a', 200)).toBe(0);
    limiter.fail('a', 200);
    expect(limiter.retryAfter('a', 300)).toBe(700);
    expect(limiter.retryAfter('b', 300)).toBe(0);
    expect(limiter.retryAfter('a', 1001)).toBe(0);
  });

  it('forgets a key on reset, and failures older than the window leave the table', () => {
    const db = database();
    const limiter = new FailureLimiter(db, 1, 1000);
    limiter.fail('a', 0);
    limiter.reset('a');
    expect(limiter.retryAfter('a', 1)).toBe(0);
    limiter.fail('x', 0);
    limiter.fail('y', 500);
    limiter.fail('z', 1200);
    expect(db.prepare('SELECT ip FROM login_ip_failures ORDER BY at').pluck().all()).toEqual(['y', 'z']);
    expect(limiter.retryAfter('z', 1300)).toBe(900);
  });

  it('is the same count for a second process on the same database, and after a restart (issue 15)', () => {
    const file = 'shared.db';
    const first = new FailureLimiter(database(file), 2, 60_000);
    const now = Date.now();
    first.fail('10.0.0.9', now);
    // Another connection to the file, as a second API process or the broker after a restart has.
    const second = new FailureLimiter(database(file), 2, 60_000);
    expect(second.count('10.0.0.9', now + 1)).toBe(1);
    second.fail('10.0.0.9', now + 2);
    expect(first.retryAfter('10.0.0.9', now + 3)).toBe(60_000 - 3);
  });
});
