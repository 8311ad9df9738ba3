import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEngineAuth } from '@touchpoint/broker';
import { AuditLog, Devices, Integrations } from '@touchpoint/broker/store';
import { DIALECTS, openStore, stopSharedPostgres, type OpenedStore } from './dialects.js';

afterAll(() => stopSharedPostgres());

/** Devices, integration accounts and the audit log on the store layer, the same on both dialects (issue 15). */
describe.each(DIALECTS)('devices, integrations and audit on %s', (dialect) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await openStore(dialect);
  }, 90_000);
  afterEach(() => opened.close());

  it('provisions once per id, checks tokens, and lists by search, tag and error code', async () => {
    const devices = new Devices(opened.store);
    const { token } = await devices.provision('cm-1', 'coffee-machine', ['pilot']);
    await devices.provision('wb_1', 'wallbox');
    await expect(devices.provision('cm-1', 'wallbox')).rejects.toMatchObject({ code: 'DUPLICATE' });
    expect(await devices.verifyToken('cm-1', token)).toBe(true);
    expect(await devices.verifyToken('cm-1', 'wrong')).toBe(false);
    expect(await devices.verifyToken('nobody', token)).toBe(false);
    await opened.store.run(opened.store.q.updateTable('devices').set({ errors: '["E05"]' }).where('id', '=', 'wb_1'));
    expect((await devices.list({ tag: 'pilot' })).items.map((d) => d.id)).toEqual(['cm-1']);
    expect((await devices.list({ errorCode: 'E05' })).items.map((d) => d.id)).toEqual(['wb_1']);
    // `_` is a LIKE wildcard: escaped, so it matches only itself.
    expect((await devices.list({ search: 'b_' })).total).toBe(1);
    expect((await devices.list({ search: '_' })).total).toBe(1);
    expect(await new Devices(opened.store).modelOf('wb_1')).toBe('wallbox');
    const rotated = await devices.rotateToken('cm-1');
    expect(await devices.verifyToken('cm-1', token)).toBe(false);
    expect(await devices.verifyToken('cm-1', rotated)).toBe(true);
  });

  it('adds, verifies, rotates and revokes integration accounts; one anonymous-loopback account at most', async () => {
    const integrations = new Integrations(opened.store);
    await integrations.ensureService(Buffer.alloc(32, 1));
    await integrations.ensureService(Buffer.alloc(32, 2));
    expect((await integrations.list()).map((a) => a.name)).toEqual(['service']);
    const { token } = await integrations.add('crm', { subscribe: ['maker/#'], anonymousLoopback: true }, 'test');
    await expect(integrations.add('crm', { subscribe: ['maker/#'] }, 'test')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      integrations.add('erp', { subscribe: ['maker/#'], anonymousLoopback: true }, 'test'),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await integrations.anonymousLoopback())?.name).toBe('crm');
    expect((await integrations.verify('crm', Buffer.from(token)))?.name).toBe('crm');
    await integrations.revoke('crm');
    expect(await integrations.verify('crm', Buffer.from(token))).toBeUndefined();
    expect(await integrations.anonymousLoopback()).toBeUndefined();
    await expect(integrations.revoke('service')).rejects.toThrow(/built-in/);
  });

  it('records audit entries and lists them newest first by device and action', async () => {
    const audit = new AuditLog(opened.store);
    await audit.record({ actor: 'a', action: 'x', outcome: 'ok', deviceId: 'd1', detail: { n: 1 } });
    await audit.record({ actor: 'b', action: 'y', outcome: 'refused' });
    await audit.record({ actor: 'c', action: 'x', outcome: 'failed', deviceId: 'd2' });
    expect((await audit.list({ action: 'x' })).map((r) => r.actor)).toEqual(['c', 'a']);
    const [first] = await audit.list({ deviceId: 'd1' });
    expect(first).toMatchObject({ actor: 'a', detail: { n: 1 }, outcome: 'ok' });
    const newest = (await audit.list({ limit: 1 }))[0]!;
    expect((await audit.list({ before: newest.id })).map((r) => r.actor)).toEqual(['b', 'a']);
  });
});

describe('touchpoint engine-auth on PostgreSQL', () => {
  let opened: OpenedStore;
  let dataDir: string;
  beforeEach(async () => {
    opened = await openStore('postgres');
    dataDir = await mkdtemp(join(tmpdir(), 'tp-engine-auth-pg-'));
  }, 90_000);
  afterEach(async () => {
    await opened.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets a device and an integration account log in from the database, and audits a refused account', async () => {
    const auth = await startEngineAuth({ dataDir, databaseUrl: opened.url, log: 'silent' });
    try {
      // Provisioned by another process on the same database (an API process): engine-auth reads it there.
      const { token } = await new Devices(opened.store).provision('cm-pg-1', 'coffee-machine');
      const account = await new Integrations(opened.store).add('crm', { subscribe: ['maker/#'] }, 'test');
      const user = async (username: string, password: string, clientId: string) =>
        (
          await fetch(`${auth.url}/auth/user`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ username, password, vhost: '/', client_id: clientId }).toString(),
          })
        ).text();
      expect(await user('cm-pg-1', token, 'cm-pg-1')).toBe('allow');
      expect(await user('cm-pg-1', 'wrong', 'cm-pg-1')).toBe('deny');
      expect(await user('crm', account.token, 'crm-1')).toBe('allow');
      expect(await user('crm', 'wrong', 'crm-2')).toBe('deny');
      const audited = await new AuditLog(opened.store).list({ action: 'integration.connect' });
      expect(audited.map((e) => [e.actor, e.target, e.outcome])).toEqual([
        ['integration:crm', 'crm-2', 'refused'],
        ['integration:crm', 'crm-1', 'ok'],
      ]);
      expect(auth.counters.snapshot()['auth.refused.BAD_CREDENTIALS']).toBe(2);
    } finally {
      await auth.close();
    }
  });
});
