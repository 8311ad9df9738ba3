import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SupportReceipt } from '@touchpoint/protocol';
import { silentLogger } from '../../src/logger.js';
import { SupportHistory } from '../../src/local-server/support-history.js';
import { tempDir } from '../helpers/fixtures.js';

const fix = (id: string, at: number): SupportReceipt => ({
  id,
  at,
  kind: 'fix',
  action: 'rinse',
  outcome: 'succeeded',
  shared: [],
  by: { role: 'support' },
});

describe('SupportHistory (the customer receipts file, issue 16)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir.path, 'support-history.json');
  });
  afterEach(() => dir.remove());

  it('keeps the newest `max` receipts, newest first, in a file only the agent can read', () => {
    const history = new SupportHistory(file, silentLogger, 3);
    for (let i = 1; i <= 5; i++) history.add(fix(`c${i}`, i));
    expect(history.list().map((r) => r.id)).toEqual(['c5', 'c4', 'c3']);
    expect(new SupportHistory(file, silentLogger, 3).list().map((r) => r.id)).toEqual(['c5', 'c4', 'c3']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces a receipt with the same id and moves it to the top', () => {
    const history = new SupportHistory(file, silentLogger);
    history.add(fix('a', 1));
    history.add(fix('b', 2));
    history.add({ ...fix('a', 3), outcome: 'failed' });
    expect(history.list().map((r) => [r.id, r.outcome])).toEqual([
      ['a', 'failed'],
      ['b', 'succeeded'],
    ]);
  });

  it('starts a new list from a damaged or foreign file instead of failing, and writes a good one', () => {
    writeFileSync(file, '{ not json');
    expect(new SupportHistory(file, silentLogger).list()).toEqual([]);
    writeFileSync(file, JSON.stringify({ v: 1, receipts: [{ id: 'x' }] }));
    const history = new SupportHistory(file, silentLogger);
    expect(history.list()).toEqual([]);
    history.add(fix('ok', 1));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ v: 1, receipts: [{ id: 'ok' }] });
  });
});
