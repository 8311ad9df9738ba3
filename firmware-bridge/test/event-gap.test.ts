// Issue 13: the pure parts of lost-event detection and repair, and the virtual MCU's fault controls for it.
import { describe, expect, it } from 'vitest';
import { createBridge } from '../src/bridge.js';
import type { McuEvent } from '../src/commands/events.js';
import { Command, EventCode, FrameKind, Status } from '../src/frame/constants.js';
import { encodeFrame } from '../src/frame/frame.js';
import { encodeRecords } from '../src/frame/records.js';
import { ErrorLedger } from '../src/session/error-ledger.js';
import { EventSequence } from '../src/session/event-sequence.js';
import { startVirtualMcu } from '../sim/start.js';
import { model, waitFor } from './helpers.js';

describe('EventSequence', () => {
  it('checks nothing until the MCU announces numbered events, then counts skipped seqs across the wrap', () => {
    const seq = new EventSequence();
    expect([seq.next(7), seq.next(42)]).toEqual([0, 0]); // an older MCU: any seq goes
    seq.baseline(253);
    expect(seq.enabled).toBe(true);
    expect([seq.next(254), seq.next(255), seq.next(0)]).toEqual([0, 0, 0]);
    expect(seq.next(3)).toBe(2); // 1 and 2 lost
    expect(seq.next(2)).toBe(254); // a seq from the past looks like a long gap: it is one, modulo 256
    seq.reset();
    expect(seq.next(99)).toBe(0);
  });
});

describe('ErrorLedger', () => {
  it('seeds silently once, then emits the raised and cleared events a READ_ERRORS shows were lost', () => {
    const emitted: McuEvent[] = [];
    const ledger = new ErrorLedger((e) => emitted.push(e));
    ledger.observeErrors(['E05']);
    expect(emitted).toEqual([]);
    ledger.track({ type: 'error.raised', code: 'E02' });
    ledger.observeErrors(['E02', 'E05']); // in step with the events: nothing to repair
    expect(emitted).toEqual([]);
    ledger.observeErrors(['E02', 'E03']);
    expect(emitted).toEqual([
      { type: 'error.raised', code: 'E03' },
      { type: 'error.cleared', code: 'E05' },
    ]);
    expect(ledger.corrections).toBe(2);
  });

  it('announces the next sensor read as a full state event only after a gap', () => {
    const emitted: McuEvent[] = [];
    const ledger = new ErrorLedger((e) => emitted.push(e));
    ledger.observeSensors({ boiler_temp: 92 });
    ledger.markStale();
    expect(ledger.wantsSensors).toBe(true);
    ledger.observeSensors({ boiler_temp: 93 });
    ledger.observeSensors({ boiler_temp: 94 });
    expect(emitted).toEqual([{ type: 'state', sensors: { boiler_temp: 93 } }]);
  });
});

describe('virtual MCU fault controls for split and lost events', () => {
  it('parses split and lose, refuses bad values with the syntax, and reports its event seq', async () => {
    const { profile, config } = model('coffee-machine');
    const sim = await startVirtualMcu({ profile, config: { ...config, drift: {} } });
    try {
      expect(await sim.control('faults split=300 lose=2')).toContain('"splitMs":300,"dropEvents":2');
      await expect(sim.control('faults split=-5')).rejects.toThrow(/splitMs/);
      await expect(sim.control('faults lose=x')).rejects.toThrow(/split=MS lose=N/);
      await expect(sim.control('faults jitter=3')).rejects.toThrow(/bad fault "jitter=3"/);
      expect(JSON.parse(await sim.control('status'))).toMatchObject({
        eventSeq: 0,
        counters: { split: 0, lostEvents: 0 },
      });
    } finally {
      await sim.stop();
    }
  });
});

describe('bridge: responses are applied at their place in the byte stream', () => {
  it('an ERROR_CLEARED right behind a READ_ERRORS answer in the same chunk is not undone by that answer', async () => {
    const { profile, config } = model('coffee-machine');
    const sim = await startVirtualMcu({ profile, config: { ...config, drift: {} } });
    const bridge = createBridge({
      path: '/dev/sim-order',
      profile,
      binding: sim.binding,
      requestTimeoutMs: 1_000,
      retries: 0,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    try {
      const events: McuEvent[] = [];
      bridge.on('event', (e) => events.push(e));
      await bridge.open();
      await waitFor(() => sim.mcu.counters.requests >= 2, 5_000, 'SUBSCRIBE and the seeding READ_ERRORS');
      await waitFor(() => bridge.stats.framesIn >= 2, 5_000, 'their answers');
      sim.mcu.setFaults({ drop: 1 }); // the MCU goes quiet; the test answers in its place
      bridge.on('frame', (direction, frame) => {
        if (direction !== 'out' || frame.command !== Command.readErrors) return;
        const answer = encodeFrame({
          kind: FrameKind.response,
          seq: frame.seq,
          command: Command.readErrors,
          status: Status.ok,
          body: encodeRecords([['E05', true]]),
        });
        const cleared = encodeFrame({
          kind: FrameKind.event,
          seq: (sim.mcu.snapshot().eventSeq + 1) & 0xff,
          command: EventCode.errorCleared,
          status: 0,
          body: encodeRecords([['code', 'E05']]),
        });
        sim.mcu.emit('output', Uint8Array.from([...answer, ...cleared])); // one chunk: the answer, then the event
      });
      await expect(bridge.readErrors()).resolves.toEqual(['E05']);
      await waitFor(() => events.length > 0, 2_000, 'the ERROR_CLEARED event');
      sim.mcu.setFaults({ drop: 0 });
      await bridge.ping(); // a later round trip: anything the earlier chunk set off has run by now
      expect(events).toEqual([{ type: 'error.cleared', code: 'E05' }]);
      expect(bridge.stats).toMatchObject({ errorCorrections: 0, eventGaps: 0 });
    } finally {
      await bridge.close();
      await sim.stop();
    }
  });
});
