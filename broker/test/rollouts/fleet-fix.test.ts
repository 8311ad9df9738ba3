import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixReport, FleetFixes } from '../../src/fleet-fixes/fleet-fixes.js';
import type { StaffMember } from '../../src/fleet/staff.js';
import { eventually, startTestBroker, type TestBroker } from '../helpers.js';
import { ScriptedDevice, type Answer } from './scripted-device.js';

/**
 * Fleet-wide fixes (issue 18) over a simulated fleet: a real aedes broker, real MQTT.js devices that verify
 * every signed command. "Every coffee machine with E05 and firmware 2.4" gets `descale`, in waves.
 */
let tb: TestBroker;
let fixes: FleetFixes;
let agent: StaffMember;
const devices = new Map<string, ScriptedDevice>();
/** Per device, how it answers; a test sets it before it starts a fix. */
const answers = new Map<string, () => Answer | Promise<Answer>>();

async function addDevice(id: string, firmware: string, errors: string[]): Promise<ScriptedDevice> {
  const { token } = await tb.broker.fleet.provisionDevice(id, 'coffee-machine');
  const d = new ScriptedDevice({
    deviceId: id,
    token,
    url: tb.url,
    firmware,
    commandKeys: [tb.broker.fleet.signer],
    contentKeys: [],
    documents: new Map(),
    answer: () => answers.get(id)?.() ?? { status: 'succeeded' },
  });
  await d.online();
  for (const code of errors) await d.raise(code);
  devices.set(id, d);
  return d;
}

const settled = (id: string) =>
  eventually(
    async () => {
      const r = await fixes.report(id);
      return r && r.status !== 'running' ? r : undefined;
    },
    15_000,
    `fleet fix ${id} to end`,
  );

beforeAll(async () => {
  tb = await startTestBroker();
  agent = (await tb.broker.fleet.staff.add('fix-agent', 'agent', 'Fiona Fix')).staff;
  const fleet = tb.broker.fleet;
  fixes = fleet.fleetFixes;
  // Six match (2.4 and its patch releases, with E05); one is on 2.3, one has no E05, one is a wallbox-free tag test.
  for (const [id, fw] of [
    ['fx-a', '2.4'],
    ['fx-b', '2.4.1'],
    ['fx-c', '2.4.2'],
    ['fx-d', '2.4'],
    ['fx-e', '2.4.1'],
    ['fx-f', '2.4'],
  ] as const)
    await addDevice(id, fw, ['E05']);
  await addDevice('fx-old', '2.3.9', ['E05']);
  await addDevice('fx-fine', '2.4', []);
  await eventually(
    async () =>
      (await Promise.all([...devices.keys()].map((id) => tb.broker.fleet.devices.get(id)))).every(
        (d) => d?.firmwareVersion,
      ),
    5_000,
    'every birth stored',
  );
  await eventually(
    async () => (await tb.broker.fleet.devices.list({ errorCode: 'E05' })).total === 7,
    5_000,
    'E05 stored for seven devices',
  );
});

afterAll(async () => {
  await Promise.all([...devices.values()].map((d) => d.offline()));
  await tb.cleanup();
});

const query = { model: 'coffee-machine', errorCode: 'E05', firmware: ['2.4'], tags: [] };

describe('fleet-wide fixes (issue 18)', () => {
  it('sends the action in waves to the matching devices only, checks each device again before its wave, and reports', async () => {
    // Wave 1's answers wait until the test lets them go, so the test can clear a wave-2 device's error first.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (const id of devices.keys()) answers.set(id, () => gate.then(() => ({ status: 'succeeded' })));
    answers.set('fx-c', () => gate.then(() => ({ status: 'rejected', code: 'PRECONDITION_FAILED' })));

    const started = await fixes.start(
      { action: 'descale', params: { intensity: 'strong' }, query, waves: 2, maxFailureRate: 0.2 },
      agent,
    );
    expect(started.devices.map((d) => d.deviceId).sort()).toEqual(['fx-a', 'fx-b', 'fx-c', 'fx-d', 'fx-e', 'fx-f']);
    expect(started.devices.filter((d) => d.wave === 1)).toHaveLength(3);
    expect(started.devices.filter((d) => d.wave === 1).every((d) => d.status === 'sent' && d.commandId)).toBe(true);
    expect(started.devices.filter((d) => d.wave === 2).every((d) => d.status === 'pending')).toBe(true);

    // A wave-2 device is fixed meanwhile (its E05 cleared); fx-c, wherever it is, refuses on its precondition.
    const later = started.devices.find((d) => d.wave === 2 && d.deviceId !== 'fx-c')!.deviceId;
    await devices.get(later)!.clear('E05');
    await eventually(
      async () => !(await tb.broker.fleet.devices.get(later))!.errors.includes('E05'),
      5_000,
      `${later}'s E05 cleared`,
    );
    release();

    const report: FixReport = await settled(started.id);
    expect(report.status).toBe('completed');
    const byId = new Map(report.devices.map((d) => [d.deviceId, d]));
    expect(byId.get(later)).toMatchObject({
      status: 'skipped',
      commandId: null,
      reason: 'error E05 is no longer raised',
    });
    expect(byId.get('fx-c')).toMatchObject({ status: 'skipped', reason: 'PRECONDITION_FAILED' });
    expect(report.counts).toMatchObject({ succeeded: 4, skipped: 2, failed: 0, pending: 0, sent: 0 });
    // The commands are ordinary signed ones, in the staff member's name, with the params given.
    const sent = [...devices.values()].flatMap((d) => d.commands);
    expect(sent).toHaveLength(5);
    expect(
      sent.every((c) => c.action === 'descale' && c.issuedBy === agent.id && c.params['intensity'] === 'strong'),
    ).toBe(true);
    expect(devices.get('fx-old')!.commands).toHaveLength(0);
    expect(devices.get('fx-fine')!.commands).toHaveLength(0);
    const audit = (await tb.broker.fleet.audit.list({ limit: 100 })).filter((a) => a.target === started.id);
    expect(audit.map((a) => `${a.actor} ${a.action}`)).toEqual(
      expect.arrayContaining([`${agent.id} fleetfix.start`, 'system:fleet-fix fleetfix.completed']),
    );
  });

  it('stops by itself when the failure rate passes the limit, and the later waves get nothing', async () => {
    for (const d of devices.values()) d.commands.length = 0;
    for (const id of ['fx-a', 'fx-b', 'fx-c', 'fx-d', 'fx-e', 'fx-f']) await devices.get(id)!.raise('E05');
    for (const id of devices.keys()) answers.set(id, () => ({ status: 'failed', reason: 'MCU_TIMEOUT' }));
    await eventually(
      async () => (await tb.broker.fleet.devices.list({ errorCode: 'E05' })).total === 7,
      5_000,
      'E05 back',
    );

    const started = await fixes.start({ action: 'rinse', params: {}, query, waves: 3, maxFailureRate: 0.25 }, agent);
    const report = await settled(started.id);
    expect(report.status).toBe('stopped');
    expect(report.reason).toMatch(/^failure rate \d+ % passed the limit of 25 % in wave 1$/);
    const wave1 = report.devices.filter((d) => d.wave === 1);
    const rest = report.devices.filter((d) => d.wave > 1);
    expect(wave1.length).toBe(2);
    expect(rest.length).toBe(4);
    expect(wave1.some((d) => d.status === 'failed' && d.reason === 'MCU_TIMEOUT')).toBe(true);
    expect(rest.every((d) => d.status === 'not-sent' && d.commandId === null)).toBe(true);
    for (const d of rest) expect(devices.get(d.deviceId)!.commands).toHaveLength(0);
  });

  it('refuses an action outside the catalog, bad params and a role that may not send the action, audited', async () => {
    const viewer = (await tb.broker.fleet.staff.add('fix-viewer', 'viewer', 'Vera View')).staff;
    const refusal = (action: string, params: Record<string, unknown>, by: StaffMember) =>
      fixes.start({ action, params, query, waves: 1, maxFailureRate: 0.1 }, by).then(
        () => 'started',
        (err: { code: string }) => err.code,
      );
    expect(await refusal('format_disk', {}, agent)).toBe('UNKNOWN_ACTION');
    expect(await refusal('set_grind_size', { size: 99 }, agent)).toBe('BAD_PARAMS');
    expect(await refusal('descale', {}, viewer)).toBe('FORBIDDEN_ROLE');
    // Installing help content is an admin's (action-roles.ts): not through a fleet-wide fix by an agent.
    expect(await refusal('help.install', { url: 'https://x.test/a', sha256: 'a'.repeat(64) }, agent)).toBe(
      'FORBIDDEN_ROLE',
    );
    const refused = (await tb.broker.fleet.audit.list({ action: 'fleetfix.start', limit: 50 })).filter(
      (a) => a.outcome === 'refused',
    );
    expect(refused.map((a) => a.target).sort()).toEqual(['descale', 'format_disk', 'help.install', 'set_grind_size']);
    expect([...devices.values()].every((d) => d.commands.every((c) => c.action === 'rinse'))).toBe(true);
  });
});
