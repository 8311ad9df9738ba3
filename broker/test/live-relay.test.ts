import { describe, expect, it } from 'vitest';
import { header, type LiveRelayMessage } from '@touchpoint/protocol';
import { Counters } from '../src/counters.js';
import { LiveBus } from '../src/fleet/live.js';
import { LiveRelay } from '../src/live-channel/live-relay.js';
import { silentLogger } from '../src/logger.js';

// Issue 15, "the live channel reaches every API process": the relay's rules without an engine (the engine's
// part is in test/cluster/api.test.ts): what goes out, what comes in, what is refused and counted.
function relayWithBus() {
  const live = new LiveBus((event, err) => {
    throw new Error(`listener of ${event} failed: ${(err as Error).message}`);
  });
  const counters = new Counters();
  const relay = new LiveRelay(live, counters, silentLogger);
  const sent: LiveRelayMessage[] = [];
  const stop = relay.out(async (payload) => {
    sent.push(JSON.parse(payload.toString()) as LiveRelayMessage);
  });
  return { live, counters, relay, sent, stop };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('live relay', () => {
  it("sends this process's console events with its origin, and nothing else of the bus", async () => {
    const { live, relay, sent, counters } = relayWithBus();
    live.emit('command', { commandId: 'c1', deviceId: 'cm-1', status: 'queued' });
    live.emit('case', { caseId: 'k1', deviceId: 'cm-1', status: 'claimed', change: 'updated' });
    live.emit('birth', { deviceId: 'cm-1', connectionId: 'x', at: 1 });
    live.emit('audit', { action: 'command.send', actor: 's1' });
    await settle();
    expect(sent).toEqual([
      { v: 1, origin: relay.origin, event: { type: 'command', commandId: 'c1', deviceId: 'cm-1', status: 'queued' } },
      {
        v: 1,
        origin: relay.origin,
        event: { type: 'case', caseId: 'k1', deviceId: 'cm-1', status: 'claimed', change: 'updated' },
      },
    ]);
    expect(counters.get('live.relay.sent')).toBe(2);
  });

  it("emits another process's event on the bus once, and does not send it out again", async () => {
    const { live, relay, sent, counters } = relayWithBus();
    const seen: unknown[] = [];
    live.on('presence', (e) => seen.push(e));
    const event = { type: 'presence', deviceId: 'cm-1', online: true, at: 5 } as const;
    relay.receive(Buffer.from(JSON.stringify({ v: 1, origin: 'other-process', event })));
    // Its own event coming back from the fanout is skipped.
    relay.receive(Buffer.from(JSON.stringify({ v: 1, origin: relay.origin, event })));
    await settle();
    expect(seen).toEqual([{ deviceId: 'cm-1', online: true, at: 5 }]);
    expect(sent).toEqual([]);
    expect(counters.get('live.relay.received')).toBe(1);
  });

  it('carries a diagnostics snapshot with its wire size', () => {
    const { live, relay } = relayWithBus();
    const got: unknown[] = [];
    live.on('diagnostics', (d, bytes) => got.push([d.deviceId, bytes]));
    const diagnostics = {
      ...header(),
      deviceId: 'cm-1',
      reason: 'periodic',
      mcu: { sensors: { boiler_temp: 92.5 }, errors: [] },
      agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 1 },
    };
    relay.receive(
      Buffer.from(JSON.stringify({ v: 1, origin: 'w1', event: { type: 'diagnostics', diagnostics, bytes: 321 } })),
    );
    expect(got).toEqual([['cm-1', 321]]);
  });

  it('refuses bad JSON, a wrong version and an invalid event, counted by code, without emitting or throwing', () => {
    const { live, relay, counters } = relayWithBus();
    let emitted = 0;
    for (const name of ['presence', 'command', 'case'] as const) live.on(name, () => emitted++);
    relay.receive(Buffer.from('{not json'));
    relay.receive(
      Buffer.from(
        JSON.stringify({ v: 2, origin: 'w1', event: { type: 'presence', deviceId: 'a', online: true, at: 1 } }),
      ),
    );
    relay.receive(
      Buffer.from(
        JSON.stringify({ v: 1, origin: 'w1', event: { type: 'command', deviceId: '../x', status: 'queued' } }),
      ),
    );
    relay.receive(
      Buffer.from(
        JSON.stringify({
          v: 1,
          origin: 'w1',
          event: { type: 'case', caseId: 'k', deviceId: 'a', status: 'lost', change: 'updated' },
        }),
      ),
    );
    expect(emitted).toBe(0);
    expect(counters.get('live.relay.invalid.BAD_JSON')).toBe(1);
    expect(counters.get('live.relay.invalid.SCHEMA_INVALID')).toBe(3);
  });

  it('counts an event the engine did not take, and stops sending when stopped', async () => {
    const live = new LiveBus(() => undefined);
    const counters = new Counters();
    const relay = new LiveRelay(live, counters, silentLogger);
    let calls = 0;
    const stop = relay.out(() => {
      calls++;
      return Promise.reject(new Error('not connected to the engine'));
    });
    live.emit('presence', { deviceId: 'cm-1', online: false, at: 1 });
    await settle();
    expect(counters.get('live.relay.send_failed')).toBe(1);
    stop();
    live.emit('presence', { deviceId: 'cm-1', online: true, at: 2 });
    await settle();
    expect(calls).toBe(1);
  });
});
