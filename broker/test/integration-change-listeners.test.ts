import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import { sqliteStore } from '../src/db/sql-store.js';
import { Integrations } from '../src/fleet/integrations.js';

// Issue 14: an integration's change (rotate, revoke) reaches its listeners through runtime's
// SafeEventEmitter; the hand-kept loop before swallowed a failing listener without a word.

let db: Db | undefined;
let dir: string | undefined;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

describe('integration change listeners', () => {
  it('a listener that throws is reported, the change stands and the listeners after it still hear it; unsubscribed ones do not', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-integration-listeners-'));
    db = openDatabase(join(dir, 'fleet.db'));
    const failures: string[] = [];
    const integrations = new Integrations(sqliteStore(db), (err) => failures.push((err as Error).message));
    await integrations.add('erp', { subscribe: ['maker/#'] }, 'test');
    const heard: string[] = [];
    integrations.onChange(() => {
      throw new Error('closing the connections failed');
    });
    const off = integrations.onChange((name) => heard.push(`removed ${name}`));
    integrations.onChange((name) => heard.push(name));
    off();

    await integrations.rotate('erp');
    await integrations.revoke('erp');

    expect(heard).toEqual(['erp', 'erp']);
    expect(failures).toEqual(['closing the connections failed', 'closing the connections failed']);
    expect((await integrations.get('erp'))?.revokedAt).toBeTypeOf('number');
  });
});
