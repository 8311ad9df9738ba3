import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '@touchpoint/protocol';
import { startEngineAuth, type RunningEngineAuth } from '../src/engine-auth/start-engine-auth.js';
import { mqttToRoutingKey, routingKeyToMqtt } from '../src/engine-auth/routing-key.js';

// Issue 15: the HTTP auth hook of a clustered engine, asked the way RabbitMQ's rabbitmq_auth_backend_http asks
// (form POSTs, `allow`/`deny`). The cluster itself is exercised in test/cluster/engine-auth.test.ts.
let ea: RunningEngineAuth;
let dir: string;
const tokens = new Map<string, string>();

async function ask(path: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`${ea.url}/auth/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.text() };
}
const allowed = async (path: string, fields: Record<string, string>) => (await ask(path, fields)).body === 'allow';
const login = (username: string, password: string, clientId: string) =>
  allowed('user', { username, password, vhost: '/', client_id: clientId });
const topic = (username: string, clientId: string, permission: 'read' | 'write', mqttTopic: string) =>
  allowed('topic', {
    username,
    vhost: '/',
    resource: 'topic',
    name: 'amq.topic',
    permission,
    routing_key: mqttToRoutingKey(mqttTopic),
    'variable_map.client_id': clientId,
    'variable_map.username': username,
    'variable_map.vhost': '/',
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-engine-auth-'));
  ea = await startEngineAuth({ dataDir: dir, log: 'silent' });
  for (const [id, model] of [
    ['cm-1', 'coffee-machine'],
    ['wb-1', 'wallbox'],
    ['cm.2', 'coffee-machine'],
  ] as const)
    tokens.set(id, (await ea.devices.provision(id, model, [])).token);
});
afterAll(async () => {
  await ea.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('engine auth: login (user_path)', () => {
  it('lets a device in with its token and its own id as client id, and counts each refusal by code', async () => {
    expect(await login('cm-1', tokens.get('cm-1')!, 'cm-1')).toBe(true);
    expect(await login('cm-1', tokens.get('wb-1')!, 'cm-1')).toBe(false);
    expect(ea.counters.get('auth.refused.BAD_CREDENTIALS')).toBe(1);
    expect(await login('cm-1', tokens.get('cm-1')!, 'wb-1')).toBe(false);
    expect(ea.counters.get('auth.refused.CLIENT_ID_MISMATCH')).toBe(1);
    // RabbitMQ routes "." as a level separator, so this id could never reach its own topics.
    expect(await login('cm.2', tokens.get('cm.2')!, 'cm.2')).toBe(false);
    expect(ea.counters.get('auth.refused.ID_NOT_ROUTABLE')).toBe(1);
  });

  it('admits an integration account only with its client id prefix, audited once per login either way', async () => {
    const { token } = await ea.integrations.add('erp', { subscribe: ['tp/v1/d/+/diag'] }, 'test');
    expect(await login('erp', token, 'erp-1')).toBe(true);
    // RabbitMQ asks again for authorisation right after authentication: answered, not audited twice.
    expect(await login('erp', token, 'erp-1')).toBe(true);
    expect(await login('erp', token, 'other-1')).toBe(false);
    expect(await login('erp', token, '')).toBe(false);
    const entries = await ea.audit.list({ action: 'integration.connect' });
    expect(entries.filter((e) => e.outcome === 'ok').map((e) => e.target)).toEqual(['erp-1']);
    expect(entries.filter((e) => e.outcome === 'refused')).toHaveLength(2);
  });

  it('answers a malformed request with 400 deny and counts it', async () => {
    const before = ea.counters.get('engine.bad_request');
    expect(await ask('user', { password: 'x' })).toEqual({ status: 400, body: 'deny' });
    expect(await ask('nothing', { username: 'cm-1' })).toEqual({ status: 404, body: 'deny' });
    expect(ea.counters.get('engine.bad_request')).toBe(before + 2);
  });
});

describe('engine auth: topics (topic_path) with the embedded ACL', () => {
  it('maps routing keys back to MQTT topics the way the plugin built them', () => {
    expect(mqttToRoutingKey('tp/v1/d/cm-1/rtc/+/down')).toBe('tp.v1.d.cm-1.rtc.*.down');
    expect(routingKeyToMqtt('tp.v1.d.cm-1.rtc.*.down')).toBe('tp/v1/d/cm-1/rtc/+/down');
    expect(routingKeyToMqtt('tp.v1.d.cm-1.#')).toBe('tp/v1/d/cm-1/#');
  });

  it('lets a device publish its own up-topics and read its own down-topics, nothing of another device', async () => {
    expect(await topic('cm-1', 'cm-1', 'write', deviceTopic('cm-1', 'diagnostics'))).toBe(true);
    expect(await topic('cm-1', 'cm-1', 'read', deviceTopic('cm-1', 'command'))).toBe(true);
    const refusedBefore = ea.counters.get('acl.publish.refused');
    expect(await topic('cm-1', 'cm-1', 'write', deviceTopic('wb-1', 'diagnostics'))).toBe(false);
    expect(await topic('cm-1', 'cm-1', 'write', deviceTopic('cm-1', 'command'))).toBe(false);
    expect(ea.counters.get('acl.publish.refused')).toBe(refusedBefore + 2);
    expect(await topic('cm-1', 'cm-1', 'read', deviceTopic('wb-1', 'command'))).toBe(false);
    expect(await topic('cm-1', 'cm-1', 'read', 'tp/v1/d/#')).toBe(false);
  });

  it('binds every check to the client id the device logged in with', async () => {
    expect(await topic('cm-1', 'wb-1', 'write', deviceTopic('cm-1', 'diagnostics'))).toBe(false);
    expect(ea.counters.get('engine.topic.unbound')).toBeGreaterThan(0);
  });

  it('gives an integration exactly its allow-list; a wildcard meeting its deny list is refused, as no hook withholds per message here', async () => {
    const { token } = await ea.integrations.add(
      'lake',
      { subscribe: ['tp/v1/d/+/diag', 'tp/v1/d/cm-1/#', 'tp/v1/d/wb-1/evt'], models: ['coffee-machine'] },
      'test',
    );
    expect(await login('lake', token, 'lake-1')).toBe(true);
    // Allowed by the list, but `+` covers devices of every model: no per-message filter, so refused.
    expect(await topic('lake', 'lake-1', 'read', 'tp/v1/d/+/diag')).toBe(false);
    // One device of an allowed model: granted; `#` under it would reach its call signalling: refused.
    expect(await topic('lake', 'lake-1', 'read', deviceTopic('cm-1', 'diagnostics'))).toBe(true);
    expect(await topic('lake', 'lake-1', 'read', 'tp/v1/d/cm-1/#')).toBe(false);
    // A device of another model, though its topic is on the list.
    expect(await topic('lake', 'lake-1', 'read', deviceTopic('wb-1', 'events'))).toBe(false);
    // Never the device tree for writing.
    expect(await topic('lake', 'lake-1', 'write', deviceTopic('cm-1', 'command'))).toBe(false);
    const refused = (await ea.audit.list({ action: 'integration.subscribe' })).filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => e.target)).toEqual(
      expect.arrayContaining(['tp/v1/d/+/diag', 'tp/v1/d/cm-1/#', deviceTopic('wb-1', 'events')]),
    );
    expect(await ea.audit.list({ action: 'integration.publish' })).toHaveLength(1);
  });
});

describe('engine auth: queues, exchanges and virtual hosts', () => {
  const resource = (username: string, kind: string, name: string, permission: string, vhost = '/') =>
    allowed('resource', { username, vhost, resource: kind, name, permission, client_id: username });

  it('lets a device use only its own subscription queues and the MQTT exchange, in the configured vhost', async () => {
    expect(await resource('cm-1', 'queue', 'mqtt-subscription-cm-1qos1', 'configure')).toBe(true);
    expect(await resource('cm-1', 'queue', 'mqtt-subscription-cm-1qos0', 'read')).toBe(true);
    expect(await resource('cm-1', 'queue', 'mqtt-subscription-wb-1qos1', 'read')).toBe(false);
    expect(await resource('cm-1', 'queue', 'fleet-ingest', 'read')).toBe(false);
    expect(await resource('cm-1', 'exchange', 'amq.topic', 'write')).toBe(true);
    expect(await resource('cm-1', 'exchange', 'amq.topic', 'configure')).toBe(false);
    expect(await resource('cm-1', 'exchange', 'amq.topic', 'write', 'other')).toBe(false);
    expect(await allowed('vhost', { username: 'cm-1', vhost: '/', ip: '127.0.0.1' })).toBe(true);
    expect(await allowed('vhost', { username: 'cm-1', vhost: 'other', ip: '127.0.0.1' })).toBe(false);
    expect(await allowed('vhost', { username: 'nobody', vhost: '/', ip: '127.0.0.1' })).toBe(false);
  });

  it('shows its counters on GET /health', async () => {
    const res = await fetch(`${ea.url}/health`);
    const body = (await res.json()) as { ok: boolean; counters: Record<string, number> };
    expect(body.ok).toBe(true);
    expect(body.counters['engine.topic.allow']).toBeGreaterThan(0);
  });
});

describe('engine auth: fleet workers over AMQP (no client id in the requests)', () => {
  // An AMQP 0-9-1 connection has no client id: RabbitMQ's HTTP backend sends none on any request.
  const amqpLogin = (username: string, password: string) => allowed('user', { username, password, vhost: '/' });
  const resource = (kind: 'queue' | 'exchange', name: string, permission: 'configure' | 'write' | 'read') =>
    allowed('resource', { username: 'service', vhost: '/', resource: kind, name, permission });
  const workerTopic = (permission: 'read' | 'write', routingKey: string) =>
    allowed('topic', {
      username: 'service',
      vhost: '/',
      resource: 'topic',
      name: 'amq.topic',
      permission,
      routing_key: routingKey,
      'variable_map.username': 'service',
      'variable_map.vhost': '/',
    });

  it('admits only the service account with its token; a device or an integration is refused by code, whatever its token', async () => {
    const before = ea.counters.get('auth.refused.AMQP_NOT_WORKER');
    expect(await amqpLogin('service', ea.serviceToken)).toBe(true);
    expect(await amqpLogin('cm-1', tokens.get('cm-1')!)).toBe(false);
    const { token } = await ea.integrations.add('crm', { subscribe: ['maker/#'] }, 'test');
    expect(await amqpLogin('crm', token)).toBe(false);
    expect(ea.counters.get('auth.refused.AMQP_NOT_WORKER')).toBe(before + 2);
    const badBefore = ea.counters.get('auth.refused.BAD_CREDENTIALS');
    expect(await amqpLogin('service', 'wrong')).toBe(false);
    expect(ea.counters.get('auth.refused.BAD_CREDENTIALS')).toBe(badBefore + 1);
    expect(
      (await ea.audit.list({ action: 'integration.connect' })).some(
        (e) => e.actor === 'integration:crm' && e.outcome === 'refused',
      ),
    ).toBe(true);
  });

  it('gives a worker its tp.fleet.* queues and the exchange (never configure), nothing else', async () => {
    expect(await resource('queue', 'tp.fleet.ingest', 'configure')).toBe(true);
    expect(await resource('queue', 'tp.fleet.ingest', 'read')).toBe(true);
    expect(await resource('queue', 'mqtt-subscription-cm-1qos1', 'read')).toBe(false);
    expect(await resource('exchange', 'amq.topic', 'read')).toBe(true);
    expect(await resource('exchange', 'amq.topic', 'write')).toBe(true);
    expect(await resource('exchange', 'amq.topic', 'configure')).toBe(false);
    expect(await resource('exchange', 'amq.direct', 'write')).toBe(false);
  });

  it('lets a worker bind to device up-traffic and publish down-topics only', async () => {
    for (const key of ['tp.v1.d.*.diag', 'tp.v1.d.*.evt', 'tp.v1.d.*.case', 'tp.v1.d.*.cmd.res', 'tp.v1.d.*.presence'])
      expect(await workerTopic('read', key), key).toBe(true);
    for (const key of ['tp.v1.d.*.cmd', 'tp.v1.d.*.rcpt', 'tp.v1.d.#', '#', 'tp.v1.d.*.rtc.*.up'])
      expect(await workerTopic('read', key), key).toBe(false);
    for (const key of ['tp.v1.d.cm-1.rcpt', 'tp.v1.d.cm-1.cmd', 'tp.v1.d.cm-1.case.status', 'tp.v1.d.cm-1.keys'])
      expect(await workerTopic('write', key), key).toBe(true);
    for (const key of ['tp.v1.d.cm-1.diag', 'tp.v1.d.cm-1.presence', 'tp.v1.d.cm-1.rtc.s1.down', 'maker.x'])
      expect(await workerTopic('write', key), key).toBe(false);
  });

  it("lets a worker declare and publish to the live channel's exchange, never read it", async () => {
    expect(await resource('exchange', 'tp.live', 'configure')).toBe(true);
    expect(await resource('exchange', 'tp.live', 'write')).toBe(true);
    expect(await resource('exchange', 'tp.live', 'read')).toBe(false);
  });
});

describe('engine auth: API processes over AMQP (service/api, the service token)', () => {
  // `touchpoint api` logs in as `service/api`; engine-auth grants it what an API process needs, nothing of a worker's.
  const apiResource = (kind: 'queue' | 'exchange', name: string, permission: 'configure' | 'write' | 'read') =>
    allowed('resource', { username: 'service/api', vhost: '/', resource: kind, name, permission });
  const apiTopic = (permission: 'read' | 'write', routingKey: string) =>
    allowed('topic', {
      username: 'service/api',
      vhost: '/',
      resource: 'topic',
      name: 'amq.topic',
      permission,
      routing_key: routingKey,
    });

  it('admits service/api over AMQP with the service token only, and never as an MQTT client', async () => {
    expect(await allowed('user', { username: 'service/api', password: ea.serviceToken, vhost: '/' })).toBe(true);
    expect(await allowed('user', { username: 'service/api', password: 'wrong', vhost: '/' })).toBe(false);
    expect(await login('service/api', ea.serviceToken, 'svc-api')).toBe(false);
    expect(await allowed('vhost', { username: 'service/api', vhost: '/' })).toBe(true);
    // With a client id (an MQTT connection) the name stands for nothing: no resource, no topic.
    expect(
      await allowed('resource', {
        username: 'service/api',
        vhost: '/',
        resource: 'exchange',
        name: 'amq.topic',
        permission: 'write',
        client_id: 'svc-api',
      }),
    ).toBe(false);
  });

  it('gives it its tp.api.* queues, the live exchange, and amq.topic for publishing only', async () => {
    for (const permission of ['configure', 'write', 'read'] as const) {
      expect(await apiResource('queue', 'tp.api.live.0123abcd', permission), permission).toBe(true);
      expect(await apiResource('exchange', 'tp.live', permission), permission).toBe(true);
      expect(await apiResource('queue', 'tp.fleet.ingest', permission), permission).toBe(false);
    }
    expect(await apiResource('exchange', 'amq.topic', 'write')).toBe(true);
    expect(await apiResource('exchange', 'amq.topic', 'read')).toBe(false);
    expect(await apiResource('exchange', 'amq.topic', 'configure')).toBe(false);
    expect(await apiResource('queue', 'mqtt-subscription-cm-1qos1', 'read')).toBe(false);
  });

  it('lets it publish commands, case status, key lists and call signalling down, and bind to no device traffic', async () => {
    const refused = ea.counters.get('acl.publish.refused');
    for (const key of ['tp.v1.d.cm-1.cmd', 'tp.v1.d.cm-1.case.status', 'tp.v1.d.cm-1.keys', 'tp.v1.d.cm-1.rtc.s1.down'])
      expect(await apiTopic('write', key), key).toBe(true);
    for (const key of ['tp.v1.d.cm-1.rcpt', 'tp.v1.d.cm-1.diag', 'tp.v1.d.cm-1.rtc.s1.up', 'maker.x'])
      expect(await apiTopic('write', key), key).toBe(false);
    expect(ea.counters.get('acl.publish.refused')).toBe(refused + 4);
    for (const key of ['tp.v1.d.*.diag', 'tp.v1.d.*.rtc.*.up', 'tp.v1.d.cm-1.cmd', '#'])
      expect(await apiTopic('read', key), key).toBe(false);
  });
});
