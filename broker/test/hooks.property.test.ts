import fc from 'fast-check';
import type { Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import { Qlobber } from 'qlobber';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVICE_UP,
  deviceTopic,
  integrationRights,
  isValidTopicFilter,
  isValidTopicName,
  type IntegrationRights,
} from '@touchpoint/protocol';
import { mayPublish, mayReceive, maySubscribe, rightsOf } from '../src/hooks/acl.js';
import type { Identity } from '../src/hooks/identity.js';
import { startTestBroker, type TestBroker } from './helpers.js';

// Issue 12 #1 and #2, as properties: no hook throws, and no granted filter reaches outside an allow-list.

/** The matcher aedes routes with (mqemitter's Qlobber settings), so the ACL is judged by the broker's own rules. */
function brokerMatcher(): Qlobber {
  return new Qlobber({ separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true });
}

function matches(filter: string, topic: string): boolean {
  const q = brokerMatcher();
  q.add(filter, true);
  return q.match(topic).length > 0;
}

const LEVELS = [
  'tp',
  'v1',
  'd',
  'cm-a',
  'cm-b',
  'rtc',
  's1',
  'up',
  'down',
  'cmd',
  'res',
  'case',
  'status',
  'diag',
  'evt',
  'presence',
  '$SYS',
  '',
  'x',
];
const level = fc.constantFrom(...LEVELS);
const filterLevel = fc.oneof({ weight: 3, arbitrary: level }, { weight: 1, arbitrary: fc.constant('+') });
/** Filters shaped like ours (often starting tp/v1/d), with wildcards anywhere, `#` last. */
const filter = fc
  .tuple(fc.boolean(), fc.array(filterLevel, { minLength: 0, maxLength: 6 }), fc.boolean())
  .map(([prefixed, levels, hash]) =>
    [...(prefixed ? ['tp', 'v1', 'd'] : []), ...levels, ...(hash ? ['#'] : [])].join('/'),
  )
  .filter((f) => f.length > 0);
/** A concrete topic the filter matches: wildcards replaced by random levels. */
const filterAndTopic = fc
  .tuple(filter, fc.array(level, { minLength: 0, maxLength: 4 }), fc.array(level, { minLength: 6, maxLength: 6 }))
  .map(([f, tail, fill]) => {
    const topic = f
      .split('/')
      .flatMap((l, i) => (l === '+' ? [fill[i % fill.length]!] : l === '#' ? tail : [l]))
      .join('/');
    return { f, topic };
  });

function account(name: string, rights: Partial<IntegrationRights>, builtin = false): Identity {
  return {
    kind: 'integration',
    account: {
      name,
      builtin,
      createdAt: 0,
      createdBy: 'test',
      rotatedAt: null,
      revokedAt: null,
      rights: integrationRights.parse(rights),
    },
  };
}
const service = account('service', { subscribe: ['#'], publish: ['#'], clientIdPrefix: 'svc-' }, true);
/** A maker's backend: every device's events and diagnostics, its own namespace, nothing under deny. */
const backend = account('erp', {
  subscribe: ['tp/v1/d/+/evt', 'tp/v1/d/+/diag', 'maker/#', 'tp/v1/d/cm-a/#'],
  publish: ['maker/#'],
  deny: ['maker/secret/#'],
});

describe('ACL: allow-lists judged by the broker matcher', () => {
  const identities: Identity[] = [{ kind: 'device', deviceId: 'cm-a' }, service, backend];

  it('grants no filter that matches a topic outside the identity allow-list (thousands of generated filters)', () => {
    let granted = 0;
    for (const identity of identities) {
      const allowed = rightsOf(identity).subscribe;
      fc.assert(
        fc.property(filterAndTopic, ({ f, topic }) => {
          if (!maySubscribe(identity, f)) return;
          granted++;
          if (topic.length === 0 || !matches(f, topic)) return;
          expect(
            allowed.some((a) => matches(a, topic)),
            `${f} was granted and matches ${topic}`,
          ).toBe(true);
        }),
        { numRuns: 3_000 },
      );
    }
    // The property is not vacuous: some generated filters were granted.
    expect(granted).toBeGreaterThan(50);
  });

  it('never lets an integration receive call signalling or a denied topic, even under a granted wildcard', () => {
    const neverDelivered = ['tp/v1/d/cm-a/rtc/s1/down', 'tp/v1/d/cm-a/rtc/s1/up', 'maker/secret/x'];
    fc.assert(
      fc.property(filter, (f) => {
        if (!maySubscribe(backend, f)) return;
        for (const topic of neverDelivered) {
          if (matches(f, topic))
            expect(
              mayReceive(backend, topic, () => 'coffee-machine'),
              `${f} would deliver ${topic}`,
            ).toBe(false);
        }
      }),
      { numRuns: 3_000 },
    );
    expect(maySubscribe(backend, 'tp/v1/d/cm-a/#')).toBe(true);
    expect(maySubscribe(backend, 'tp/v1/d/cm-a/rtc/#')).toBe(false);
    expect(maySubscribe(backend, 'maker/secret/#')).toBe(false);
    expect(mayReceive(backend, 'tp/v1/d/cm-a/diag', () => 'coffee-machine')).toBe(true);
  });

  it('grants a device nothing that reaches another device, call signalling up, or `$` topics', () => {
    const device: Identity = { kind: 'device', deviceId: 'cm-a' };
    const forbidden = [
      'tp/v1/d/cm-b/cmd',
      'tp/v1/d/cm-b/rtc/s1/down',
      'tp/v1/d/cm-a/rtc/s1/up',
      'tp/v1/d/cm-a/diag',
      '$SYS/x',
      'tp/v1/d/cm-a/cmd/res',
    ];
    fc.assert(
      fc.property(filter, (f) => {
        if (!maySubscribe(device, f)) return;
        for (const topic of forbidden) expect(matches(f, topic), `${f} reaches ${topic}`).toBe(false);
      }),
      { numRuns: 5_000 },
    );
    expect(maySubscribe(device, deviceTopic('cm-a', 'command'))).toBe(true);
    expect(maySubscribe(device, 'tp/v1/d/cm-a/rtc/+/down')).toBe(true);
    for (const f of [
      'tp/v1/d/+/cmd',
      'tp/v1/d/cm-a/#',
      'tp/v1/d/cm-a/+',
      'tp/v1/d/+/+/+/down',
      '#',
      'tp/v1/d/cm-a/rtc/#',
    ])
      expect(maySubscribe(device, f), f).toBe(false);
  });

  it("judges a device's publish exactly as its publish allow-list, which it no longer keeps per connection (issue 13)", () => {
    const device: Identity = { kind: 'device', deviceId: 'cm-a' };
    const allowed = rightsOf(device).publish;
    let granted = 0;
    const topics = fc.oneof(
      filterAndTopic.map(({ topic }) => topic),
      // Near misses of the device's own topics: another id sharing its start, a longer leaf, a missing level.
      fc.constantFrom(
        'tp/v1/d/cm-a/diag',
        'tp/v1/d/cm-a/rtc/s1/up',
        'tp/v1/d/cm-ab/diag',
        'tp/v1/d/cm-/diag',
        'tp/v1/d/cm-a/diagx',
        'tp/v1/d/cm-a/rtc/up',
        'tp/v1/d/cm-a/rtc/s1/up/x',
        'tp/v1/d/cm-a/',
        'tp/v1/dcm-a/diag',
        'tp/v1/dxcm-a/diag',
        'tp/v1/d/cm-a-diag',
        'tp/v1/d/cm-a/xdiag',
        'tp/v1/d/cm-a',
        'xp/v1/d/cm-a/diag',
      ),
    );
    fc.assert(
      fc.property(topics, (topic) => {
        const expected = isValidTopicName(topic) && allowed.some((a) => matches(a, topic));
        if (expected) granted++;
        expect(mayPublish(device, topic), topic).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
    expect(granted).toBeGreaterThan(20);
    expect(rightsOf(device).publish).toEqual([
      ...DEVICE_UP.map((kind) => deviceTopic('cm-a', kind)),
      'tp/v1/d/cm-a/rtc/+/up',
    ]);
    expect(mayPublish({ kind: 'device', deviceId: 'cm/a' }, 'tp/v1/d/cm/a/diag')).toBe(false);
  });

  it('refuses invalid filters and wildcard publishes [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-3.3.2-2]', () => {
    for (const f of ['a/#/b', 'a/b#', 'a+/b', '', 'a/\u0000']) expect(isValidTopicFilter(f), f).toBe(false);
    expect(mayPublish(service, 'tp/v1/d/+/cmd')).toBe(false);
    expect(mayPublish(service, 'tp/v1/d/cm-a/cmd')).toBe(true);
    expect(mayPublish(backend, 'tp/v1/d/cm-a/cmd')).toBe(false);
    expect(mayPublish(backend, 'maker/erp/orders')).toBe(true);
    expect(mayPublish({ kind: 'device', deviceId: 'cm-a' }, deviceTopic('cm-a', 'diagnostics'))).toBe(true);
    expect(mayPublish({ kind: 'device', deviceId: 'cm-a' }, deviceTopic('cm-b', 'diagnostics'))).toBe(false);
  });
});

describe('hooks: random input never throws out of a hook', () => {
  let tb: TestBroker;
  beforeAll(async () => {
    tb = await startTestBroker();
    await tb.broker.fleet.provisionDevice('cm-a', 'coffee-machine');
  });
  afterAll(async () => {
    await tb.cleanup();
  });

  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '%',
      '%E0%A4%A',
      '%ZZ',
      'tp_session=%E0%A4%A',
      'tp_session=%; a=%ZZ',
      'svc-1',
      'cm-a',
      'staff-x',
      'service',
      'tp/v1/d/cm-a/diag',
    ),
  );
  const headers = fc.dictionary(
    fc.constantFrom('cookie', 'host', 'origin', 'x-forwarded-for', 'user-agent', 'authorization'),
    fc.oneof(text, fc.array(text, { maxLength: 3 })),
  );
  const fakeClient = fc.record({ id: text, req: fc.option(fc.record({ headers }), { nil: undefined }) });
  const bytes = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b));

  /** Calls a hook; resolves with how often its callback ran, once the hook has answered (or after a bounded wait). */
  function call(invoke: (done: (...result: unknown[]) => void) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      let calls = 0;
      const deadline = setTimeout(() => resolve(calls), 2_000);
      try {
        invoke(() => {
          calls++;
          setImmediate(() => {
            clearTimeout(deadline);
            resolve(calls);
          });
        });
      } catch (err) {
        clearTimeout(deadline);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  it('authenticate, preConnect, authorizePublish and authorizeSubscribe answer exactly once, whatever they get', async () => {
    const aedes = tb.broker.aedes;
    await fc.assert(
      fc.asyncProperty(
        fakeClient,
        fc.option(text, { nil: undefined }),
        fc.option(bytes, { nil: undefined }),
        text,
        bytes,
        fc.boolean(),
        async (c, username, password, topic, payload, nullClient) => {
          const client = c as unknown as Client;
          expect(
            await call((done) =>
              aedes.preConnect(
                client,
                {
                  cmd: 'connect',
                  clientId: c.id,
                  protocolId: 'MQTT',
                  protocolVersion: 4,
                  clean: true,
                  keepalive: 60,
                  will: { topic, payload, qos: 1, retain: false },
                } as unknown as ConnectPacket,
                done,
              ),
            ),
          ).toBe(1);
          expect(await call((done) => aedes.authenticate(client, username, password, done))).toBe(1);
          const packet = {
            cmd: 'publish',
            topic,
            payload,
            qos: 1,
            retain: false,
            dup: false,
            messageId: 1,
            clientId: c.id,
          } as unknown as PublishPacket;
          expect(await call((done) => aedes.authorizePublish(nullClient ? null : client, packet, done))).toBe(1);
          expect(await call((done) => aedes.authorizeSubscribe(client, { topic, qos: 1 } as Subscription, done))).toBe(
            1,
          );
        },
      ),
      { numRuns: 300 },
    );
    // Nothing random got stored as a device's report.
    expect(tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics').pluck().get()).toBe(0);
  });
});

describe('guardHook', () => {
  it('turns a throwing hook into one refusal, a counter and an error log, and never answers twice', async () => {
    const { guardHook } = await import('../src/hooks/guard-hook.js');
    const { Counters } = await import('../src/counters.js');
    const counters = new Counters();
    const logged: string[] = [];
    const log = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (msg: string) => void logged.push(msg),
    };
    const answers: unknown[][] = [];
    const throwing = guardHook(
      'authorizeSubscribe',
      counters,
      log,
      (_topic: string, _done: (err: Error | null, ok: boolean) => void) => {
        throw new URIError('URI malformed');
      },
      (err) => [err, false] as [Error, boolean],
    );
    throwing('t', (...a) => void answers.push(a));
    const answeredThenThrew = guardHook(
      'authenticate',
      counters,
      log,
      (_topic: string, done: (err: Error | null, ok: boolean) => void) => {
        done(null, true);
        throw new Error('late');
      },
      (err) => [err, false] as [Error, boolean],
    );
    answeredThenThrew('t', (...a) => void answers.push(a));
    expect(answers).toEqual([
      [expect.any(URIError), false],
      [null, true],
    ]);
    expect(counters.get('hook.error.authorizeSubscribe')).toBe(1);
    expect(counters.get('hook.error.authenticate')).toBe(1);
    expect(logged).toHaveLength(2);
  });
});

describe('LogThrottle', () => {
  it('lets one line per key and window through and reports how many it held back', async () => {
    const { LogThrottle } = await import('../src/hooks/log-throttle.js');
    const throttle = new LogThrottle(1_000, 2);
    expect(throttle.admit('cm-a OVER_BUDGET', 0)).toBe(0);
    expect(throttle.admit('cm-a OVER_BUDGET', 10)).toBeUndefined();
    expect(throttle.admit('cm-a OVER_BUDGET', 20)).toBeUndefined();
    expect(throttle.admit('cm-b OVER_BUDGET', 20)).toBe(0);
    expect(throttle.admit('cm-a OVER_BUDGET', 1_000)).toBe(2);
    // Bounded: a third key evicts rather than grows the map.
    expect(throttle.admit('cm-c OVER_BUDGET', 1_001)).toBe(0);
    expect(throttle.admit('cm-d OVER_BUDGET', 1_002)).toBe(0);
  });
});
