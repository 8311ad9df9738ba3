import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TouchpointError, deviceTopic, header, signalTopic } from '@touchpoint/protocol';
import { runCommand } from '@touchpoint/runtime';
import { integrationCommands } from '../src/cli/integration-commands.js';
import { connect, connectRefused, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

// Issue 13, "Integration accounts": a maker's backend on MQTT with scoped rights; granted, refused, revoked, audited.
let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

function track(c: mqtt.MqttClient): mqtt.MqttClient {
  clients.push(c);
  return c;
}
const device = async (id: string) =>
  track(await connect(tb.url, { clientId: id, username: id, password: tokens.get(id)! }));
const audited = async (action: string, outcome: string, target?: string) =>
  (await tb.broker.fleet.audit.list({ action, limit: 500 })).filter(
    (e) => e.outcome === outcome && (target === undefined || e.target === target),
  );

beforeAll(async () => {
  tb = await startTestBroker({ integrationCheckMs: 100 });
  for (const [id, model] of [
    ['cm-1', 'coffee-machine'],
    ['wb-1', 'wallbox'],
  ] as const)
    tokens.set(id, (await tb.broker.fleet.provisionDevice(id, model)).token);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('integration accounts over MQTT', () => {
  it("reads every coffee machine's events and diagnostics, and nothing else (the docs' example)", async () => {
    const { token } = await tb.broker.fleet.integrations.add(
      'erp',
      { subscribe: ['tp/v1/d/+/evt', 'tp/v1/d/+/diag', 'maker/#'], publish: ['maker/#'], models: ['coffee-machine'] },
      'test',
    );
    const erp = track(await connect(tb.url, { clientId: 'erp-1', username: 'erp', password: token }));
    expect(await audited('integration.connect', 'ok', 'erp-1')).toHaveLength(1);

    const granted = await erp.subscribeAsync(['tp/v1/d/+/diag', 'tp/v1/d/+/evt'], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    const refused = await erp
      .subscribeAsync(['tp/v1/d/+/cmd', 'tp/v1/d/+/#', '#', 'tp/v1/d/cm-1/rtc/+/down'], { qos: 1 })
      .then(
        () => undefined,
        (err: { packet?: { granted: number[] } }) => err.packet?.granted,
      );
    expect(refused).toEqual([128, 128, 128, 128]);
    expect((await audited('integration.subscribe', 'refused')).map((e) => e.target)).toEqual(
      expect.arrayContaining(['tp/v1/d/+/cmd', '#']),
    );

    const received: string[] = [];
    erp.on('message', (topic) => received.push(topic));
    const [cm, wb] = [await device('cm-1'), await device('wb-1')];
    await wb.publishAsync(
      deviceTopic('wb-1', 'diagnostics'),
      JSON.stringify(diagnostics('wb-1', { mcu: { sensors: {}, errors: [] } })),
      { qos: 1 },
    );
    await cm.publishAsync(deviceTopic('cm-1', 'diagnostics'), JSON.stringify(diagnostics('cm-1')), { qos: 1 });
    // The coffee machine's report arrives; the wallbox's, published first on the same broker, never does.
    await eventually(
      () => received.includes(deviceTopic('cm-1', 'diagnostics')),
      5_000,
      "the coffee machine's diagnostics at the backend",
    );
    expect(received).not.toContain(deviceTopic('wb-1', 'diagnostics'));
    expect(tb.broker.counters.get('acl.forward.withheld')).toBeGreaterThanOrEqual(1);
  });

  it('never publishes in the device tree: a forged command is acknowledged, dropped, audited and never reaches the device', async () => {
    const { token } = await tb.broker.fleet.integrations.add(
      'forger',
      { subscribe: ['maker/#'], publish: ['maker/#'] },
      'test',
    );
    const forger = track(await connect(tb.url, { clientId: 'forger-1', username: 'forger', password: token }));
    const cm = await device('cm-1');
    await cm.subscribeAsync(deviceTopic('cm-1', 'command'), { qos: 1 });
    const commands: string[] = [];
    cm.on('message', (topic) => commands.push(topic));
    await forger.publishAsync(deviceTopic('cm-1', 'command'), '{"forged":true}', { qos: 1 });
    await forger.publishAsync('maker/erp/orders', 'ok', { qos: 1 });
    expect(forger.connected).toBe(true);
    expect(await audited('integration.publish', 'refused', deviceTopic('cm-1', 'command'))).toHaveLength(1);
    // A round trip on the device's own connection: anything routed to it before has arrived.
    await cm.publishAsync(deviceTopic('cm-1', 'diagnostics'), JSON.stringify(diagnostics('cm-1')), { qos: 1 });
    expect(commands).toEqual([]);
  });

  it('refuses device-tree publish rights and bad filters when the account is created', async () => {
    await expect(
      tb.broker.fleet.integrations.add('bad1', { subscribe: ['maker/#'], publish: ['tp/v1/d/+/cmd'] }, 'test'),
    ).rejects.toThrow(/device tree/);
    await expect(
      tb.broker.fleet.integrations.add('bad2', { subscribe: ['maker/#'], publish: ['#'] }, 'test'),
    ).rejects.toThrow(/device tree/);
    await expect(tb.broker.fleet.integrations.add('bad3', { subscribe: ['a/#/b'] }, 'test')).rejects.toThrow(
      TouchpointError,
    );
    await expect(tb.broker.fleet.integrations.add('Bad Name', { subscribe: ['maker/#'] }, 'test')).rejects.toThrow(
      /integration name/,
    );
    expect(await tb.broker.fleet.integrations.get('bad1')).toBeUndefined();
  });

  it('withholds call signalling even under a granted wildcard', async () => {
    const { token } = await tb.broker.fleet.integrations.add('wide', { subscribe: ['tp/v1/d/cm-1/#'] }, 'test');
    const wide = track(await connect(tb.url, { clientId: 'wide-1', username: 'wide', password: token }));
    await wide.subscribeAsync('tp/v1/d/cm-1/#', { qos: 1 });
    const received: string[] = [];
    wide.on('message', (topic) => received.push(topic));
    // The service account routes signalling as the video service does; TURN credentials and phone links travel there.
    const service = track(
      await connect(tb.url, { clientId: 'svc-video', username: 'service', password: tb.broker.serviceToken }),
    );
    const withheldBefore = tb.broker.counters.get('acl.forward.withheld');
    await service.publishAsync(
      signalTopic('cm-1', 's1', 'down'),
      JSON.stringify({
        ...header(),
        sessionId: 's1',
        seq: 0,
        staffId: 'st-1',
        from: 'staff',
        kind: 'handoff',
        url: 'https://support.example/p/secret',
      }),
      { qos: 1 },
    );
    const cm = await device('cm-1');
    await cm.publishAsync(deviceTopic('cm-1', 'diagnostics'), JSON.stringify(diagnostics('cm-1')), { qos: 1 });
    await eventually(
      () => received.includes(deviceTopic('cm-1', 'diagnostics')),
      5_000,
      'the diagnostics after the signal',
    );
    // Withheld: the signal, and the fleet's receipt for the diagnostics (issue 15), which may follow them.
    await eventually(
      () => tb.broker.counters.get('acl.forward.withheld') === withheldBefore + 2,
      5_000,
      'the signal and the receipt withheld',
    );
    expect(received.some((t) => t.includes('/rtc/') || t.endsWith('/rcpt'))).toBe(false);
  });

  it('binds client ids to the account: its prefix, never a device id; an empty id with clean session gets one assigned', async () => {
    const { token } = await tb.broker.fleet.integrations.add(
      'lake',
      { subscribe: ['maker/#'], clientIdPrefix: 'lake-' },
      'test',
    );
    expect(await connectRefused(tb.url, { clientId: 'other-1', username: 'lake', password: token })).toBe(2);
    const { token: loose } = await tb.broker.fleet.integrations.add(
      'loose',
      { subscribe: ['maker/#'], clientIdPrefix: '' },
      'test',
    );
    expect(await connectRefused(tb.url, { clientId: 'cm-1', username: 'loose', password: loose })).toBe(2);
    const assigned = track(await connect(tb.url, { clientId: '', clean: true, username: 'lake', password: token }));
    expect(assigned.connected).toBe(true);
    expect(await connectRefused(tb.url, { clientId: 'lake-1', username: 'lake', password: 'wrong' })).toBe(4);
    expect((await audited('integration.connect', 'refused')).length).toBeGreaterThanOrEqual(3);
  });

  it('closes live connections on revoke (in process) and on rotate (from the CLI, another process on the same database)', async () => {
    const { token } = await tb.broker.fleet.integrations.add('crm', { subscribe: ['maker/#'] }, 'test');
    const first = track(await connect(tb.url, { clientId: 'crm-1', username: 'crm', password: token }));
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => void lines.push(line);
    try {
      expect(
        await runCommand(
          integrationCommands.find((c) => c.path[1] === 'rotate')!,
          ['crm', '--json', '--data-dir', tb.dataDir],
        ),
      ).toBe(0);
    } finally {
      console.log = log;
    }
    const rotated = JSON.parse(lines[0]!) as { token: string };
    await closed;
    expect(await connectRefused(tb.url, { clientId: 'crm-2', username: 'crm', password: token })).toBe(4);
    const second = track(await connect(tb.url, { clientId: 'crm-3', username: 'crm', password: rotated.token }));
    const closedAgain = new Promise<void>((resolve) => second.once('close', () => resolve()));
    await tb.broker.fleet.integrations.revoke('crm');
    await closedAgain;
    expect(await connectRefused(tb.url, { clientId: 'crm-4', username: 'crm', password: rotated.token })).toBe(4);
    await expect(tb.broker.fleet.integrations.revoke('service')).rejects.toThrow(/built-in/);
  });

  it('gives clients without a user name, from loopback, the account that asked for them, and no one else', async () => {
    expect(await connectRefused(tb.url, { clientId: 'suite-1' })).toBe(4);
    await tb.broker.fleet.integrations.add(
      'suite',
      {
        subscribe: ['TopicA/#', '+/+'],
        publish: ['TopicA/#'],
        deny: ['test/nosubscribe'],
        clientIdPrefix: '',
        anonymousLoopback: true,
      },
      'test',
    );
    const suite = track(await connect(tb.url, { clientId: 'suite-1' }));
    const granted = await suite.subscribeAsync(['+/+', 'test/nosubscribe'], { qos: 1 }).then(
      (g) => g.map((x) => x.qos),
      (err: { packet?: { granted: number[] } }) => err.packet?.granted,
    );
    expect(granted).toEqual([1, 128]);
    await expect(
      tb.broker.fleet.integrations.add('suite2', { subscribe: ['x/#'], anonymousLoopback: true }, 'test'),
    ).rejects.toThrow(/anonymous/);
  });
});
