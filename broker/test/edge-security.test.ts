import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  caseOpenMessage,
  deviceTopic,
  header,
  silentLogger,
  type CaseOpenMessage,
  type PresenceMessage,
} from '@touchpoint/protocol';
import { startBroker, type RunningBroker } from '../src/index.js';
import { connect, connectRefused, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

// Issue 12 #1 and #3: the broker's edge against unauthenticated and hostile clients.
let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

const wsUrl = () => `ws://127.0.0.1:${tb.broker.httpPort}/mqtt`;

beforeAll(async () => {
  tb = await startTestBroker({ limits: { heartbeatIntervalMs: 100 } });
  for (const id of ['cm-a', 'cm-b'])
    tokens.set(id, (await tb.broker.fleet.provisionDevice(id, 'coffee-machine')).token);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

async function stillServes(): Promise<void> {
  const health = await fetch(`http://127.0.0.1:${tb.broker.httpPort}/healthz`);
  expect(health.status).toBe(200);
  const c = await connect(tb.url, { clientId: 'cm-a', username: 'cm-a', password: tokens.get('cm-a')! });
  clients.push(c);
  const msg = diagnostics('cm-a');
  await c.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
  expect(
    tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msg.id),
    JSON.stringify(tb.broker.counters.snapshot()),
  ).toBe(1);
}

/** A WebSocket MQTT CONNECT; resolves with the CONNACK code, or 'closed' when the socket closed without one. */
function wsConnect(
  clientId: string,
  headers: Record<string, string>,
  auth: { username?: string; password?: string } = {},
): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const client = mqtt.connect(wsUrl(), {
      clientId,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      wsOptions: { headers },
      ...auth,
    });
    client.once('connect', () => {
      client.end(true);
      resolve(0);
    });
    client.once('error', (err) => {
      client.end(true);
      resolve((err as Error & { code?: number }).code ?? 'closed');
    });
    client.once('close', () => resolve('closed'));
  });
}

describe('broker edge: one unauthenticated packet cannot take it down (issue 12 #1)', () => {
  it.each(['%', '%E0%A4%A', '%ZZ'])(
    'survives a WebSocket CONNECT with the cookie tp_session=%s and keeps serving MQTT and /healthz',
    async (value) => {
      for (const clientId of ['staff-x', 'cm-a', 'anything']) {
        const code = await wsConnect(clientId, { Cookie: `tp_session=${value}; other=%` });
        expect(code).not.toBe(0);
      }
      await stillServes();
    },
  );

  it('refuses a staff session cookie over MQTT: staff have no MQTT identity (issue 12 #2)', async () => {
    const { password } = await tb.broker.fleet.staff.add('ws-viewer', 'viewer');
    const login = await fetch(`http://127.0.0.1:${tb.broker.httpPort}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ws-viewer', password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(await wsConnect('staff-ws-viewer', { Cookie: cookie })).not.toBe(0);
  });

  it('refuses a WebSocket upgrade from a foreign Origin or to a foreign Host, and accepts the console origin', async () => {
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(wsUrl(), 'mqtt', { headers });
        ws.once('open', () => {
          ws.terminate();
          resolve('open');
        });
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('error', () => resolve(0));
      });
    const refusedBefore = tb.broker.counters.get('ws.refused.origin') + tb.broker.counters.get('ws.refused.host');
    expect(await upgrade({ Origin: 'https://evil.example' })).toBe(401);
    expect(await upgrade({ Host: 'rebind.evil.example' })).toBe(401);
    expect(tb.broker.counters.get('ws.refused.origin') + tb.broker.counters.get('ws.refused.host')).toBe(
      refusedBefore + 2,
    );
    expect(await upgrade({ Origin: `http://127.0.0.1:${tb.broker.httpPort}` })).toBe('open');
    expect(await upgrade({})).toBe('open');
  });
});

describe('broker edge: last wills (issue 12 #3)', () => {
  interface WillStore {
    putWill(client: { id: string; brokerId: string }, packet: object): Promise<void>;
    streamWill(brokers: object): AsyncIterable<unknown>;
  }
  const willStore = (broker: RunningBroker) =>
    (broker.aedes as unknown as { persistence: unknown }).persistence as WillStore;
  async function storedWills(broker: RunningBroker): Promise<number> {
    let n = 0;
    for await (const _will of willStore(broker).streamWill({})) n++;
    return n;
  }

  function caseFor(deviceId: string): CaseOpenMessage {
    const h = header();
    return caseOpenMessage.parse({
      ...h,
      deviceId,
      caseId: `case-${h.id}`,
      reason: 'forged by another device',
      locale: 'en',
      trace: [],
      consent: { diagnostics: true, helpSession: true, at: h.ts },
    });
  }

  it('refuses a CONNECT whose will targets another device, or is anything but its own offline presence', async () => {
    const base = { clientId: 'cm-a', username: 'cm-a', password: tokens.get('cm-a')! };
    const forged = JSON.stringify(caseFor('cm-b'));
    expect(
      await connectRefused(tb.url, {
        ...base,
        will: { topic: deviceTopic('cm-b', 'caseOpen'), payload: Buffer.from(forged), qos: 1, retain: false },
      }),
    ).toBe(5);
    const othersPresence: PresenceMessage = { ...header(), deviceId: 'cm-b', state: 'offline', connectionId: 'x' };
    expect(
      await connectRefused(tb.url, {
        ...base,
        will: {
          topic: deviceTopic('cm-a', 'presence'),
          payload: Buffer.from(JSON.stringify(othersPresence)),
          qos: 1,
          retain: true,
        },
      }),
    ).toBe(5);
    expect(
      await connectRefused(tb.url, {
        ...base,
        will: { topic: deviceTopic('cm-a', 'events'), payload: Buffer.from('{}'), qos: 1, retain: false },
      }),
    ).toBe(5);
    const own: PresenceMessage = { ...header(), deviceId: 'cm-a', state: 'offline', connectionId: 'c1' };
    const ok = await connect(tb.url, {
      ...base,
      will: { topic: deviceTopic('cm-a', 'presence'), payload: Buffer.from(JSON.stringify(own)), qos: 1, retain: true },
    });
    clients.push(ok);
    expect(ok.connected).toBe(true);
  });

  it('never publishes a stored will outside its device rights after a restart: the ACL is not skipped for a null client', async () => {
    // Wills stored by an earlier run (the old code accepted them unchecked): one aimed at another device's case,
    // one by a device on its own diagnostics (a will may only be the device's offline presence).
    // By cm-w, which has no session here: aedes keys a will by client id, and the end of a live session
    // (the cm-a client of the test above) rightly deletes the will stored under its id [MQTT-3.1.2-10].
    await tb.broker.fleet.provisionDevice('cm-w', 'coffee-machine');
    const forgedCase = caseFor('cm-b');
    const persistence = willStore(tb.broker);
    await persistence.putWill(
      { id: 'cm-w', brokerId: tb.broker.aedes.id },
      {
        cmd: 'publish',
        topic: deviceTopic('cm-b', 'caseOpen'),
        payload: Buffer.from(JSON.stringify(forgedCase)),
        qos: 1,
        retain: false,
      },
    );
    await persistence.putWill(
      { id: 'cm-b', brokerId: tb.broker.aedes.id },
      {
        cmd: 'publish',
        topic: deviceTopic('cm-b', 'diagnostics'),
        payload: Buffer.from(JSON.stringify(diagnostics('cm-b'))),
        qos: 1,
        retain: false,
      },
    );
    // Under load the first broker may already sweep one (its heartbeat looked stale to itself); count both runs.
    const firstRun = tb.broker.counters;
    await tb.restart();
    await eventually(
      async () => (await storedWills(tb.broker)) === 0,
      10_000,
      'the restarted broker to sweep the stored wills',
    );
    expect(tb.broker.fleet.db.prepare("SELECT COUNT(*) FROM cases WHERE device_id = 'cm-b'").pluck().get()).toBe(0);
    expect(tb.broker.fleet.db.prepare("SELECT COUNT(*) FROM diagnostics WHERE device_id = 'cm-b'").pluck().get()).toBe(
      0,
    );
    expect(
      firstRun.get('acl.will.refused') + tb.broker.counters.get('acl.will.refused'),
      JSON.stringify({ firstRun: firstRun.snapshot(), restarted: tb.broker.counters.snapshot() }),
    ).toBe(2);
    await stillServes();
  });

  it('a close during the will sweep leaves every stored will either refused and deleted or stored for the next run', async () => {
    // aedes' close only stops the sweep timer: a sweep under way used to run on into the closed fleet
    // database and Level store (hook.error.authorizePublish, or a refused will not deleted and judged again).
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-broker-wills-'));
    const base = { dataDir, mqttPort: 0, httpPort: 0, log: 'silent' as const };
    const WILLS = 40;
    try {
      // Run 1 plants the wills; its sweep runs every 4 minutes, so it judges none of them.
      const planter = await startBroker(base);
      for (let i = 0; i < WILLS; i++)
        await willStore(planter).putWill(
          { id: `cm-gone-${i}`, brokerId: planter.aedes.id },
          { cmd: 'publish', topic: deviceTopic('cm-b', 'caseOpen'), payload: Buffer.from('{}'), qos: 1, retain: false },
        );
      await planter.close();

      // Run 2 sweeps them and is closed from inside its sweep, at the first refusal.
      const run2: { broker?: RunningBroker } = {};
      let closing: Promise<void> | undefined;
      const closeOnFirstRefusal = {
        ...silentLogger,
        warn(message: string) {
          if (message === 'stored will refused' && run2.broker) closing ??= run2.broker.close();
        },
      };
      run2.broker = await startBroker({ ...base, limits: { heartbeatIntervalMs: 100 }, logger: closeOnFirstRefusal });
      await eventually(() => closing !== undefined, 10_000, 'the second run to start its will sweep');
      await closing;
      const second = run2.broker.counters;

      // Run 3 judges what run 2 left stored.
      const third = await startBroker({ ...base, limits: { heartbeatIntervalMs: 100 } });
      try {
        await eventually(async () => (await storedWills(third)) === 0, 10_000, 'the third run to sweep the rest');
        const report = JSON.stringify({ second: second.snapshot(), third: third.counters.snapshot() });
        // Each will judged exactly once over both runs, with no exception on the way.
        expect(second.get('acl.will.refused') + third.counters.get('acl.will.refused'), report).toBe(WILLS);
        // The close did land inside the sweep: run 2 judged some wills and deferred the others.
        expect(second.get('acl.will.refused'), report).toBeGreaterThan(0);
        expect(second.get('will.deferred'), report).toBeGreaterThan(0);
        for (const counters of [second, third.counters]) {
          expect(counters.get('hook.error.authorizePublish'), report).toBe(0);
          expect(counters.get('broker.error'), report).toBe(0);
          expect(counters.get('will.sweep.close_timeout'), report).toBe(0);
        }
        expect(third.fleet.db.prepare("SELECT COUNT(*) FROM cases WHERE device_id = 'cm-b'").pluck().get()).toBe(0);
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
