// Issue 13, "The serial link under a stalled host": the bridge and the virtual MCU over a real socat pty pair.
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge, type EventGap, type FirmwareBridge, type McuEvent } from '../src/index.js';
import { startVirtualMcu, type VirtualMcuHandle } from '../sim/index.js';
import { model, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Rig {
  sim: VirtualMcuHandle;
  bridge: FirmwareBridge;
  events: McuEvent[];
  gaps: EventGap[];
  warnings: string[];
  /** The active errors as a listener folds them from the bridge's events, like the agent's touchscreen does. */
  errors(): string[];
}

async function rig(): Promise<Rig> {
  const { profile, config } = model('coffee-machine');
  // No drift: the only events are the ones a test causes.
  const sim = await startVirtualMcu({ profile, config: { ...config, drift: {} }, pty: true, randomFaultsPerMinute: 0 });
  cleanups.push(() => sim.stop());
  const warnings: string[] = [];
  const bridge = createBridge({
    path: sim.devicePath as string,
    profile,
    requestTimeoutMs: 1_000,
    retries: 2,
    logger: { info: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  cleanups.push(() => bridge.close());
  const events: McuEvent[] = [];
  const gaps: EventGap[] = [];
  const active = new Set<string>();
  bridge.on('event', (e) => {
    events.push(e);
    if (e.type === 'error.raised') active.add(e.code);
    if (e.type === 'error.cleared') active.delete(e.code);
  });
  bridge.on('gap', (gap) => gaps.push(gap));
  await bridge.open();
  await waitFor(() => sim.mcu.subscribed, 5_000, 'SUBSCRIBE');
  for (const code of await bridge.readErrors()) active.add(code);
  return { sim, bridge, events, gaps, warnings, errors: () => [...active].sort() };
}

describe('serial link under a stalled host (issue 13), over a real pty', () => {
  it('keeps an event frame that arrives in two parts 300 ms apart while the parser is busy with other traffic', async () => {
    const { sim, bridge, events, errors } = await rig();
    expect(errors()).toEqual(['E05']);
    expect(await sim.control('faults split=300')).toContain('"splitMs":300');

    sim.mcu.raise('E03'); // first half of the ERROR_RAISED frame is on the wire now, the rest in 300 ms
    // Load the parser: eight requests go out while it holds the partial frame; their answers queue behind it
    // on the MCU's UART and reach the host in one burst with the frame's second half.
    const reads = Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? bridge.readSensors() : bridge.getInfo())));

    await waitFor(
      () => events.some((e) => e.type === 'error.raised' && e.code === 'E03'),
      5_000,
      'the split E03 event',
    );
    await reads;
    expect(sim.mcu.counters.split).toBeGreaterThanOrEqual(1);
    expect(bridge.stats.pausedFrames).toBeGreaterThanOrEqual(1); // the pause really happened inside a frame at the host
    expect(bridge.stats.framingErrors).toBe(0);
    expect(bridge.stats.eventGaps).toBe(0);
    expect(errors()).toEqual(['E03', 'E05']);
    expect((await bridge.readErrors()).sort()).toEqual(errors());
  });

  it('detects a lost event by its seq, re-reads the MCU and emits the missing error.raised and error.cleared', async () => {
    const { sim, bridge, gaps, warnings, errors } = await rig();
    expect(errors()).toEqual(['E05']);

    await sim.control('faults lose=1');
    sim.mcu.raise('E03'); // lost on the wire
    expect(sim.mcu.counters.lostEvents).toBe(1);
    sim.mcu.setSensor('drip_tray_full', true); // ERROR_RAISED E02 + STATE: the next seq reveals the gap
    await waitFor(() => errors().includes('E03'), 5_000, 'E03 recovered after the gap');
    expect(gaps[0]).toMatchObject({ missed: 1, gaps: 1 });

    await sim.control('faults lose=1');
    sim.mcu.setSensor('scale_level', 10); // ERROR_CLEARED E05 is lost, the STATE event after it arrives
    await waitFor(() => !errors().includes('E05'), 5_000, 'E05 cleared after the second gap');

    expect(errors()).toEqual(['E02', 'E03']);
    expect((await bridge.readErrors()).sort()).toEqual(errors());
    expect(bridge.stats).toMatchObject({ eventGaps: 2, eventsMissed: 2, errorCorrections: 2, framingErrors: 0 });
    expect(warnings.filter((w) => w.includes('MCU event(s) lost'))).toHaveLength(2);
  });

  it('repairs the error list after a reconnect when errors changed while the cable was out', async () => {
    const { sim, bridge, errors } = await rig();
    const links: string[] = [];
    bridge.on('link', (state) => links.push(state));
    const unplugged = sim.unplug(300);
    await waitFor(() => bridge.link !== 'up', 5_000, 'link down');
    sim.mcu.raise('E03'); // its event goes nowhere: the port is closed
    await unplugged;
    await waitFor(() => errors().includes('E03'), 10_000, 'E03 after the reconnect');
    expect(links).toContain('up');
    expect(errors()).toEqual(['E03', 'E05']);
    expect(bridge.stats.errorCorrections).toBe(1);
  });
});
