import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { eventually, startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';

/**
 * A fleet-wide fix (issue 18) on real agents and virtual MCUs: every coffee machine with E05 (raised on the
 * virtual MCU) on firmware 2.4 is sent `descale`, in two waves. The action really runs on
 * the MCUs that allow it and clears E05; the machine whose water tank is too low for descaling refuses it on
 * its precondition, which the fix reports as skipped, not as a failure.
 */
let broker: RunningBroker;
const dirs: string[] = [];
const devices: VirtualDevice[] = [];

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tp-fix-agents-'));
  dirs.push(dataDir);
  broker = await startBroker({ dataDir, host: '127.0.0.1', mqttPort: 0, httpPort: 0, log: 'silent' });
  for (const id of ['fa-1', 'fa-2', 'fa-3']) {
    const dir = await mkdtemp(join(tmpdir(), `tp-${id}-`));
    dirs.push(dir);
    devices.push(await startVirtualDevice(broker, { deviceId: id, dataDir: dir, pty: false, speed: 8 }));
  }
  // The MCU starts with E05 (its scale level); raised again so each agent reports it as an event now.
  for (const d of devices) {
    await d.mcu.control('clear E05');
    await d.mcu.control('raise E05');
  }
  // Below the descale precondition (water_tank_level >= 30) on this one machine.
  await devices[2]!.mcu.control('set water_tank_level 20');
  await eventually(
    async () =>
      (await Promise.all(devices.map((d) => broker.fleet.devices.get(d.deviceId)))).every((d) =>
        d?.errors.includes('E05'),
      ),
    'E05 reported by every machine',
    20_000,
  );
});

afterAll(async () => {
  for (const d of devices) await d.stop().catch(() => undefined);
  await broker?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('a fleet-wide fix on real agents (issue 18)', () => {
  it('runs the action on every matching machine in waves, and reports the precondition refusal as skipped', async () => {
    const { staff } = await broker.fleet.staff.add('fix-agent', 'agent', 'Fiona Fix');
    const started = await broker.fleet.fleetFixes.start(
      {
        action: 'descale',
        params: {},
        query: { model: 'coffee-machine', errorCode: 'E05', firmware: ['2.4'], tags: [] },
        waves: 2,
        maxFailureRate: 0.5,
      },
      staff,
    );
    expect(started.devices.map((d) => d.deviceId).sort()).toEqual(['fa-1', 'fa-2', 'fa-3']);
    const report = await eventually(
      async () => {
        const r = await broker.fleet.fleetFixes.report(started.id);
        return r?.status === 'running' ? undefined : r;
      },
      'the fix to end',
      30_000,
    );
    expect(report.status).toBe('completed');
    const byId = new Map(report.devices.map((d) => [d.deviceId, d]));
    expect(byId.get('fa-1')?.status).toBe('succeeded');
    expect(byId.get('fa-2')?.status).toBe('succeeded');
    expect(byId.get('fa-3')?.status).toBe('skipped');
    expect(byId.get('fa-3')?.reason).toMatch(
      /^PRECONDITION_FAILED: precondition .*water_tank_level >= 30.* does not hold$/,
    );
    // The descale ran on the two MCUs: scale reset (it drifts up slowly again), E05 cleared, and the fleet sees it; not on the third.
    for (const d of devices.slice(0, 2)) {
      expect(d.mcu.mcu.sensors.get('scale_level')).toBeLessThan(1);
      await eventually(
        async () => !(await broker.fleet.devices.get(d.deviceId))?.errors.includes('E05'),
        `${d.deviceId}'s E05 cleared`,
        10_000,
      );
    }
    expect(devices[2]!.mcu.mcu.sensors.get('scale_level')).toBeGreaterThan(80);
  });
});
