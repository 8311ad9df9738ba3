import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import {
  commandEnvelope,
  commandView,
  deviceTopic,
  staffWithPassword,
  type CommandEnvelope,
} from '@touchpoint/protocol';
import { ApiClient } from './api-client.js';
import { connect, eventually, startTestBroker, type TestBroker } from './helpers.js';

/** Issue 12 item 7: installing help content is an admin operation; an agent's attempt is refused and audited. */
describe('help.install needs the admin role', () => {
  let tb: TestBroker;
  let admin: ApiClient;
  let agent: ApiClient;
  let agentId: string;
  let device: MqttClient;
  const deviceId = 'cm-0042';
  const received: CommandEnvelope[] = [];
  const params = { url: 'https://help.example.com/coffee/v2.json', sha256: 'a'.repeat(64) };

  beforeAll(async () => {
    tb = await startTestBroker();
    const base = `http://127.0.0.1:${tb.broker.httpPort}`;
    admin = new ApiClient(base);
    const { name, password } = tb.broker.initialAdmin!;
    await admin.loginReady(name, password);
    const created = await admin.post('/api/staff', { name: 'alice', displayName: 'Alice', role: 'agent' });
    expect(created.status).toBe(201);
    const alice = staffWithPassword.parse(created.body);
    agentId = alice.staff.id;
    agent = new ApiClient(base);
    await agent.loginReady('alice', alice.password!);
    const { token } = await tb.broker.fleet.provisionDevice(deviceId, 'coffee-machine', []);
    device = await connect(tb.url, { clientId: deviceId, username: deviceId, password: token });
    device.on('message', (topic, payload) => {
      if (topic === deviceTopic(deviceId, 'command'))
        received.push(commandEnvelope.parse(JSON.parse(payload.toString())));
    });
    await device.subscribeAsync(deviceTopic(deviceId, 'command'), { qos: 1 });
  });

  afterAll(async () => {
    await device?.endAsync();
    await tb?.cleanup();
  });

  it('refuses an agent with 403 FORBIDDEN_ROLE, audits the refusal and publishes nothing', async () => {
    const res = await agent.post(`/api/devices/${deviceId}/commands`, { action: 'help.install', params });
    expect(res.status).toBe(403);
    expect((res.body as { error: { code: string } }).error.code).toBe('FORBIDDEN_ROLE');
    const refused = (await tb.broker.fleet.audit.list({ action: 'command.send', limit: 100 })).filter(
      (r) => r.actor === agentId && r.outcome === 'refused',
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ deviceId, target: 'help.install', detail: { code: 'FORBIDDEN_ROLE' } });
    expect(tb.broker.fleet.commands.listForDevice(deviceId)).toHaveLength(0);
    // The same agent may still push an ordinary fix.
    expect((await agent.post(`/api/devices/${deviceId}/commands`, { action: 'rinse' })).status).toBe(201);
    await eventually(() => received.length === 1, 5_000, 'the rinse command');
    expect(received.map((c) => c.action)).toEqual(['rinse']);
  });

  it('lets an admin install help content: signed, audited and delivered', async () => {
    const res = await admin.post(`/api/devices/${deviceId}/commands`, { action: 'help.install', params });
    expect(res.status).toBe(201);
    const sent = commandView.parse(res.body);
    await eventually(() => received.some((c) => c.id === sent.id), 5_000, 'the help.install command on the device');
    expect(received.find((c) => c.id === sent.id)).toMatchObject({ action: 'help.install', params });
    const ok = (await tb.broker.fleet.audit.list({ action: 'command.send', limit: 100 })).filter(
      (r) => r.outcome === 'ok' && r.target === 'help.install',
    );
    expect(ok.map((r) => r.detail?.commandId)).toEqual([sent.id]);
  });
});
