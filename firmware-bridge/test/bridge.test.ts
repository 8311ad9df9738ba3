import { ErrorCode, type LinkState } from '@touchpoint/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Command,
  FrameKind,
  FrameParser,
  Status,
  Waitress,
  createBridge,
  encodeFrame,
  type FirmwareBridge,
  type McuEvent,
} from '../src/index.js';
import { statusError } from '../src/commands/codecs.js';
import { startVirtualMcu, type VirtualMcuHandle } from '../sim/start.js';
import { model, seeded, waitFor } from './helpers.js';

let sim: VirtualMcuHandle | undefined;
let bridge: FirmwareBridge | undefined;
let pathCounter = 0;

afterEach(async () => {
  await bridge?.close();
  await sim?.stop();
  bridge = undefined;
  sim = undefined;
});

async function setup(
  name: 'coffee-machine' | 'wallbox',
  options: { timeoutMs?: number; retries?: number; random?: () => number } = {},
) {
  const { profile, config } = model(name);
  // Fast timings keep the suite short; behaviour is the same as the demo's.
  const fast = {
    ...config,
    actions: Object.fromEntries(
      Object.entries(config.actions).map(([k, a]) => [k, { ...a, durationMs: Math.min(a.durationMs, 200) }]),
    ),
  };
  sim = await startVirtualMcu({ profile, config: fast, ...(options.random ? { random: options.random } : {}) });
  const links: Array<[LinkState, string | undefined]> = [];
  const events: McuEvent[] = [];
  bridge = createBridge({
    path: `/dev/sim${pathCounter++}`,
    profile,
    binding: sim.binding,
    requestTimeoutMs: options.timeoutMs ?? 200,
    retries: options.retries ?? 2,
    reopen: { initialDelayMs: 20, maxDelayMs: 50 },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  bridge.on('link', (state, reason) => links.push([state, reason]));
  bridge.on('event', (e) => events.push(e));
  await bridge.open();
  await waitFor(() => sim!.mcu.subscribed, 2000, 'subscription');
  // Link-up traffic: SUBSCRIBE, then the READ_ERRORS that seeds the bridge's error ledger.
  await waitFor(() => sim!.mcu.counters.requests >= 2, 2000, 'link-up requests');
  return { bridge, sim, links, events };
}

describe('bridge against the in-process virtual MCU (binding-mock)', () => {
  it('reads info, sensors and errors typed by the profile', async () => {
    const { bridge } = await setup('coffee-machine');
    expect(bridge.link).toBe('up');
    await expect(bridge.getInfo()).resolves.toEqual({
      model: 'coffee-machine',
      serial: 'CM-2024-000123',
      firmwareVersion: '2.4.1',
    });
    const sensors = await bridge.readSensors();
    expect(sensors.machine_state).toBe('idle');
    expect(typeof sensors.water_tank_level).toBe('number');
    expect(sensors.drip_tray_full).toBe(false);
    await expect(bridge.readErrors()).resolves.toEqual(['E05']);
  });

  it('descale reports progress, completes, clears E05 and resets scale_level', async () => {
    const { bridge, events } = await setup('coffee-machine');
    const progress: number[] = [];
    const outcome = await bridge.runAction('descale', {}, { onProgress: (e) => progress.push(e.percent) });
    expect(outcome).toEqual({ ok: true });
    expect(progress).toEqual([0, 25, 50, 75, 100]);
    expect(events).toContainEqual({ type: 'error.cleared', code: 'E05' });
    expect(events).toContainEqual({ type: 'action.done', action: 'descale', ok: true });
    expect((await bridge.readSensors()).scale_level).toBe(0);
    await expect(bridge.readErrors()).resolves.toEqual([]);
  });

  it('reports a refused action as ok=false with the MCU reason', async () => {
    const { bridge, sim } = await setup('coffee-machine');
    await sim.control('scenario empty_tank');
    await expect(bridge.runAction('descale', { intensity: 'strong' })).resolves.toEqual({
      ok: false,
      reason: 'water tank below 30 %, refill first',
    });
    expect(await bridge.readErrors()).toContain('E01');
    await sim.control('scenario refill_tank');
    expect((await bridge.readSensors()).water_tank_level).toBe(100);
    expect(await bridge.readErrors()).not.toContain('E01');
  });

  it('wallbox: set_max_current changes max_current; reset_rcd clears F02', async () => {
    const { bridge, sim } = await setup('wallbox');
    await expect(bridge.runAction('set_max_current', { amps: 10 })).resolves.toEqual({ ok: true });
    expect((await bridge.readSensors()).max_current).toBe(10);
    await sim.control('scenario rcd_trip');
    expect(await bridge.readErrors()).toContain('F02');
    await expect(bridge.runAction('reset_rcd', {})).resolves.toEqual({ ok: true });
    expect(await bridge.readErrors()).not.toContain('F02');
  });

  it('rejects bad params, unknown and agent actions before anything reaches the wire', async () => {
    const { bridge, sim } = await setup('wallbox');
    const sent: number[] = [];
    bridge.on('frame', (direction, frame) => direction === 'out' && sent.push(frame.command));
    const before = sim.mcu.counters.requests;
    await expect(bridge.runAction('set_max_current', { amps: 99 })).rejects.toMatchObject({
      code: ErrorCode.BAD_PARAMS,
    });
    await expect(bridge.runAction('set_max_current', { amps: 16, extra: 1 })).rejects.toMatchObject({
      code: ErrorCode.BAD_PARAMS,
    });
    await expect(bridge.runAction('launch_rocket', {})).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_ACTION });
    await expect(bridge.runAction('agent.restart', {})).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_ACTION });
    expect(sim.mcu.counters.requests).toBe(before);
    expect(sent).not.toContain(Command.runAction); // link-up traffic (SUBSCRIBE, READ_ERRORS) may still be going
  });

  it('survives dropped and corrupted frames through retries', async () => {
    // Seeded faults, and retries enough that ten calls cannot all fail by chance (with 6 retries about 1 run in
    // 10 did: a round trip fails half the time at these rates).
    const { bridge, sim } = await setup('coffee-machine', { timeoutMs: 50, retries: 14, random: seeded(13) });
    sim.mcu.setFaults({ drop: 0.2, corrupt: 0.1 });
    for (let i = 0; i < 10; i++) expect((await bridge.getInfo()).model).toBe('coffee-machine');
    expect(bridge.stats.retries).toBeGreaterThan(0);
    sim.mcu.setFaults({ drop: 0, corrupt: 0 });
  });

  it('fails fast with LINK_DOWN while unplugged, then recovers after replug', async () => {
    const { bridge, sim, links } = await setup('coffee-machine');
    const unplugged = sim.unplug(150);
    await waitFor(() => bridge.link !== 'up', 2000, 'link down');
    await expect(bridge.readSensors()).rejects.toMatchObject({ code: ErrorCode.LINK_DOWN });
    await unplugged;
    await waitFor(() => bridge.link === 'up', 3000, 'link up again');
    expect((await bridge.getInfo()).model).toBe('coffee-machine');
    const states = links.map(([s]) => s);
    expect(states.indexOf('down')).toBeGreaterThan(states.indexOf('up'));
    expect(states.lastIndexOf('up')).toBeGreaterThan(states.indexOf('down'));
    expect(bridge.stats.reopenCount).toBe(1);
  });

  it('gets UNKNOWN_COMMAND back for a command the MCU does not implement, instead of a timeout', async () => {
    const { sim } = await setup('coffee-machine');
    // Talk to the MCU directly: the typed bridge never sends unknown commands.
    const waitress = new Waitress({
      send: async (f) => sim.mcu.receive(encodeFrame(f)),
      timeoutMs: 200,
      retries: 0,
      maxInFlight: 1,
      warn: () => undefined,
    });
    const parser = new FrameParser({
      onFrame: (f) => f.kind === FrameKind.response && waitress.handleResponse(f),
      onError: () => undefined,
    });
    sim.mcu.on('output', (bytes) => parser.push(bytes));
    const response = await waitress.request(0x7f, new Uint8Array());
    expect(response.status).toBe(Status.unknownCommand);
    expect(statusError(response).code).toBe(ErrorCode.UNKNOWN_COMMAND);
  });
});
