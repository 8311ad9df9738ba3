import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import {
  integrationListResponse,
  integrationWithToken,
  revokeIntegrationResponse,
  staffWithPassword,
} from '@touchpoint/protocol';
import { ApiClient } from './api-client.js';
import { connect, connectRefused, eventually, startTestBroker, type TestBroker } from './helpers.js';

/**
 * Issue 13, "Integration accounts": admins manage them over the console API
 * (create, list, rotate, revoke), every call is audited, and what the API
 * hands out really works, and really stops working, over MQTT.
 */

let tb: TestBroker;
let base: string;
let admin: ApiClient;
let adminId: string;

/** [MQTT-3.2.2-3] table 3.1: "Connection Refused, bad user name or password". */
const BAD_USERNAME_OR_PASSWORD = 4;

async function member(name: string, role: 'viewer' | 'agent'): Promise<{ id: string; client: ApiClient }> {
  const created = staffWithPassword.parse((await admin.post('/api/staff', { name, displayName: name, role })).body);
  const client = new ApiClient(base);
  await client.loginReady(name, created.password!);
  return { id: created.staff.id, client };
}

/** Resolves when the client's connection closes; fails after `ms` with `what`. */
function closed(client: MqttClient, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`${what} was not closed within ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

beforeAll(async () => {
  tb = await startTestBroker();
  base = `http://127.0.0.1:${tb.broker.httpPort}`;
  admin = new ApiClient(base);
  await admin.loginReady(tb.broker.initialAdmin!.name, tb.broker.initialAdmin!.password);
  adminId = tb.broker.fleet.staff.listAll().find((m) => m.name === tb.broker.initialAdmin!.name)!.id;
});

afterAll(async () => {
  await tb?.cleanup();
});

describe('integration accounts over the console API (issue 13)', () => {
  it('an admin creates, lists, rotates and revokes an account; each change is audited under the admin', async () => {
    const created = await admin.post('/api/integrations', {
      name: 'erp',
      subscribe: ['tp/v1/d/+/evt', 'tp/v1/d/+/diag'],
      models: ['coffee-machine'],
    });
    expect(created.status).toBe(201);
    const { account, token } = integrationWithToken.parse(created.body);
    expect(account).toMatchObject({
      name: 'erp',
      builtin: false,
      createdBy: tb.broker.initialAdmin!.name,
      clientIdPrefix: 'erp-',
      rotatedAt: null,
      revokedAt: null,
    });
    expect(account.rights).toMatchObject({
      subscribe: ['tp/v1/d/+/evt', 'tp/v1/d/+/diag'],
      publish: [],
      models: ['coffee-machine'],
    });
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await tb.broker.fleet.audit.list({ action: 'integration.create', limit: 1 }))[0]).toMatchObject({
      actor: adminId,
      actorRole: 'admin',
      target: 'erp',
      outcome: 'ok',
    });

    const listed = await admin.get('/api/integrations');
    expect(listed.status).toBe(200);
    const items = integrationListResponse.parse(listed.body).items;
    expect(items.map((a) => a.name)).toEqual(expect.arrayContaining(['erp', 'service']));
    expect(items.find((a) => a.name === 'service')).toMatchObject({ builtin: true });
    // Neither the token nor its hash is ever listed.
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/hash/i);

    const rotated = await admin.post(`/api/integrations/erp/rotate`, {});
    expect(rotated.status).toBe(200);
    const next = integrationWithToken.parse(rotated.body);
    expect(next.token).not.toBe(token);
    expect(next.account.rotatedAt).toEqual(expect.any(Number));
    expect((await tb.broker.fleet.audit.list({ action: 'integration.rotate', limit: 1 }))[0]).toMatchObject({
      actor: adminId,
      target: 'erp',
      outcome: 'ok',
    });

    const revoked = await admin.post(`/api/integrations/erp/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revokeIntegrationResponse.parse(revoked.body).account.revokedAt).toEqual(expect.any(Number));
    expect((await tb.broker.fleet.audit.list({ action: 'integration.revoke', limit: 1 }))[0]).toMatchObject({
      actor: adminId,
      target: 'erp',
      outcome: 'ok',
    });
    // A revoked account cannot be rotated back to life.
    expect((await admin.post(`/api/integrations/erp/rotate`, {})).status).toBe(404);
  });

  it('refuses agents and viewers with 403 and audits each refusal', async () => {
    for (const [name, role] of [
      ['ina-agent', 'agent'],
      ['ivo-viewer', 'viewer'],
    ] as const) {
      const { id, client } = await member(name, role);
      expect((await client.get('/api/integrations')).status).toBe(403);
      expect((await client.post('/api/integrations', { name: `${name}-own`, subscribe: ['#'] })).status).toBe(403);
      expect((await client.post('/api/integrations/service/rotate', {})).status).toBe(403);
      const refusals = (await tb.broker.fleet.audit.list({ limit: 50 })).filter(
        (r) => r.actor === id && r.outcome === 'refused',
      );
      expect(refusals.map((r) => r.action).sort()).toEqual([
        'integration.create',
        'integration.list',
        'integration.rotate',
      ]);
      expect(refusals.every((r) => r.detail?.code === 'FORBIDDEN_ROLE' && r.actorRole === role)).toBe(true);
      expect(refusals.find((r) => r.action === 'integration.rotate')?.target).toBe('service');
    }
    expect(await tb.broker.fleet.integrations.get('ina-agent-own')).toBeUndefined();
  });

  it('refuses a publish filter in the device tree with 400 and the problem sentence, and audits it', async () => {
    const r = await admin.post<{ error: { code: string; message: string } }>('/api/integrations', {
      name: 'forger',
      subscribe: ['tp/v1/d/+/evt'],
      publish: ['tp/v1/d/+/cmd'],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SCHEMA_INVALID');
    expect(r.body.error.message).toContain('--publish tp/v1/d/+/cmd: integrations may not publish in the device tree');
    expect(await tb.broker.fleet.integrations.get('forger')).toBeUndefined();
    expect((await tb.broker.fleet.audit.list({ action: 'integration.create', limit: 1 }))[0]).toMatchObject({
      actor: adminId,
      outcome: 'refused',
      detail: { code: 'SCHEMA_INVALID' },
    });

    // `#` could match a device topic too, so it is no way around the rule.
    expect((await admin.post('/api/integrations', { name: 'forger', publish: ['#'] })).status).toBe(400);
  });

  it('answers bad filters and names with 400 (zod), a taken name with 409 and the built-in account with 403', async () => {
    const badFilter = await admin.post<{ error: { message: string } }>('/api/integrations', {
      name: 'lake',
      subscribe: ['tp/v1/#/evt'],
    });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.message).toContain('not a valid MQTT topic filter');
    const badName = await admin.post<{ error: { message: string } }>('/api/integrations', {
      name: 'Lake!',
      subscribe: ['lake/#'],
    });
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toContain('lower-case');
    const nothingGranted = await admin.post<{ error: { message: string } }>('/api/integrations', { name: 'lake' });
    expect(nothingGranted.status).toBe(400);
    expect(nothingGranted.body.error.message).toContain('give at least one --subscribe or --publish filter');

    expect((await admin.post('/api/integrations', { name: 'lake', subscribe: ['lake/#'] })).status).toBe(201);
    const again = await admin.post<{ error: { code: string } }>('/api/integrations', {
      name: 'lake',
      subscribe: ['lake/#'],
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');

    for (const verb of ['rotate', 'revoke']) {
      const r = await admin.post<{ error: { code: string } }>(`/api/integrations/service/${verb}`, {});
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN_ROLE');
      expect((await tb.broker.fleet.audit.list({ action: `integration.${verb}`, limit: 1 }))[0]).toMatchObject({
        actor: adminId,
        target: 'service',
        outcome: 'refused',
      });
    }
    expect((await tb.broker.fleet.integrations.get('service'))?.revokedAt).toBeNull();
    expect((await admin.post('/api/integrations/nobody/revoke', {})).status).toBe(404);
  });

  it('takes the full lists the schema allows, though they are larger than the default 16 KiB body', async () => {
    const long = (i: number, root: string) => `${root}/${String(i).padStart(3, '0')}/${'x'.repeat(240)}`;
    const body = {
      name: 'wide',
      subscribe: Array.from({ length: 64 }, (_, i) => long(i, 'in')),
      publish: Array.from({ length: 64 }, (_, i) => long(i, 'out')),
    };
    expect(JSON.stringify(body).length).toBeGreaterThan(16 * 1024);
    expect((await admin.post('/api/integrations', body)).status).toBe(201);
    expect((await tb.broker.fleet.integrations.get('wide'))?.rights.publish).toHaveLength(64);
  });

  it('the token from the API connects over MQTT; rotate and revoke close the connection and the old credentials get CONNACK 4', async () => {
    const { token } = integrationWithToken.parse(
      (await admin.post('/api/integrations', { name: 'warranty', subscribe: ['tp/v1/d/+/evt'] })).body,
    );
    const first = await connect(tb.url, { username: 'warranty', password: token, clientId: 'warranty-1' });
    const granted = await first.subscribeAsync('tp/v1/d/+/evt', { qos: 1 });
    expect(granted[0]?.qos).toBe(1);

    const afterRotate = closed(first, 3_000, 'the connection of a rotated account');
    const { token: rotated } = integrationWithToken.parse(
      (await admin.post('/api/integrations/warranty/rotate', {})).body,
    );
    await afterRotate;
    first.end(true);
    expect(await connectRefused(tb.url, { username: 'warranty', password: token, clientId: 'warranty-1' })).toBe(
      BAD_USERNAME_OR_PASSWORD,
    );

    const second = await connect(tb.url, { username: 'warranty', password: rotated, clientId: 'warranty-1' });
    const afterRevoke = closed(second, 3_000, 'the connection of a revoked account');
    expect((await admin.post('/api/integrations/warranty/revoke', {})).status).toBe(200);
    await afterRevoke;
    second.end(true);
    expect(await connectRefused(tb.url, { username: 'warranty', password: rotated, clientId: 'warranty-1' })).toBe(
      BAD_USERNAME_OR_PASSWORD,
    );
    // The refused reconnect is on the record too (the MQTT hooks audit integration.connect).
    await eventually(
      async () =>
        (await tb.broker.fleet.audit.list({ action: 'integration.connect', limit: 5 })).find(
          (r) => r.actor === 'integration:warranty' && r.outcome === 'refused',
        ),
      3_000,
      'an audited refused connect',
    );
  });
});
