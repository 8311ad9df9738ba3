// Issue 13, "The serial link under a stalled host": the real agent and broker, the virtual MCU over a socat pty.
// What the touchscreen shows (the agent's live state) and what the console shows (the broker's device row, folded
// from the agent's error events) must end with the MCU's real error list.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';
import { Harness } from './harness.js';

const sorted = (codes: Iterable<string>): string[] => [...codes].sort();

describe('agent error list over a stalled serial link (real agent, broker, virtual MCU over a pty)', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  async function device(
    deviceId: string,
  ): Promise<{ device: VirtualDevice; touchscreen(): string[]; console(): Promise<string[]> }> {
    const broker = await h.broker(await h.tempDir('tp-broker-'));
    const d = await startVirtualDevice(broker, { deviceId, dataDir: await h.tempDir('tp-agent-') });
    h.defer(() => d.stop());
    const touchscreen = (): string[] => sorted(d.agent.services.localServer?.state.errors ?? []);
    const consoleView = async (): Promise<string[]> => sorted((await broker.fleet.devices.get(deviceId))?.errors ?? []);
    await eventually(() => d.agent.services.mcu.link === 'up' && d.mcu.mcu.subscribed, 'MCU link up and subscribed');
    // One snapshot puts the errors active at start (E05) on the touchscreen and in the console; none is taken
    // after this, so only events (and the bridge's repairs) can move the lists from here on.
    await d.agent.services.diagnostics.snapshot('request');
    await eventually(
      async () => touchscreen().join() === 'E05' && (await consoleView()).join() === 'E05',
      'E05 on the touchscreen and in the console',
    );
    return { device: d, touchscreen, console: consoleView };
  }

  it('an ERROR_RAISED frame sent in two parts 300 ms apart, while the bridge is busy, reaches the touchscreen and the console', async () => {
    const { device: d, touchscreen, console: consoleView } = await device('cm-stall-split');
    const mcu = d.mcu.mcu;
    expect(await d.mcu.control('faults split=300')).toContain('"splitMs":300');
    mcu.raise('E03');
    // Requests while the parser holds the first half: their answers queue behind it on the MCU's UART.
    const bridge = d.agent.services.mcu.bridge;
    const reads = Promise.all(Array.from({ length: 6 }, () => bridge.readSensors()));

    await eventually(() => touchscreen().includes('E03'), 'E03 on the touchscreen');
    await reads;
    expect(touchscreen()).toEqual(sorted(mcu.errors));
    expect(touchscreen()).toEqual(['E03', 'E05']);
    expect(
      await eventually(async () => {
        const view = await consoleView();
        return view.includes('E03') && view;
      }, 'E03 in the console'),
    ).toEqual(['E03', 'E05']);
    expect(mcu.counters.split).toBeGreaterThanOrEqual(1);
  });

  it('a lost ERROR_RAISED and a lost ERROR_CLEARED are detected by the event seq and repaired; diagnostics count the gaps', async () => {
    const { device: d, touchscreen, console: consoleView } = await device('cm-stall-lost');
    const mcu = d.mcu.mcu;

    mcu.setFaults({ dropEvents: 1 });
    mcu.raise('E03'); // lost on the wire
    mcu.setSensor('drip_tray_full', true); // ERROR_RAISED E02 arrives with the next seq: the gap shows
    await eventually(
      () => touchscreen().includes('E03') && touchscreen().includes('E02'),
      'E02 and the lost E03 on the touchscreen',
    );

    mcu.setFaults({ dropEvents: 1 });
    mcu.setSensor('scale_level', 10); // ERROR_CLEARED E05 is lost; the STATE event after it shows the gap
    await eventually(() => !touchscreen().includes('E05'), 'the lost E05 clear on the touchscreen');

    expect(mcu.counters.lostEvents).toBe(2);
    expect(touchscreen()).toEqual(sorted(mcu.errors));
    expect(touchscreen()).toEqual(['E02', 'E03']);
    expect(
      await eventually(async () => {
        const view = await consoleView();
        return view.length === 2 && view;
      }, 'E02 and E03 in the console'),
    ).toEqual(['E02', 'E03']);
    expect(d.agent.services.mcu.eventGaps).toBe(2);
    const snapshot = await d.agent.services.diagnostics.build('request');
    expect(snapshot.mcu).toMatchObject({ eventGaps: 2, errors: expect.arrayContaining(['E02', 'E03']) });
  });
});
