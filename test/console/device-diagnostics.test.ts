import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '@touchpoint/broker';
import type { DiagnosticsMessage } from '@touchpoint/protocol';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { CHROMIUM, eventually, openConsoleAsAdmin, startTouchStack, type TouchStack } from '../touch-ui/harness.js';
import { SimulatedDevice, type ConsolePage } from './helpers.js';

/**
 * Issue 16, "staff have the whole picture": the device view shows the host
 * metrics the agent collects (load, memory, disk, network); sensor values
 * refresh right after a fix (the agent sends a snapshot when a command
 * finishes, the console takes it from the live channel); the case view shows
 * the snapshot taken at escalation next to the trace, and whether the customer
 * allows remote control on that device, live. Real broker, the real agent with
 * the virtual coffee machine, Chromium for the console and the kiosk.
 */
let stack: TouchStack;
let browser: Browser;
let kiosk: Page;
let staffView: ConsolePage;
let staff: StaffMember;
const snapshots: DiagnosticsMessage[] = [];

const final = (id: string) =>
  eventually(() => {
    const record = stack.broker.fleet.commands.get(id);
    return record && !['queued', 'delivered', 'accepted'].includes(record.status) ? record : undefined;
  }, `the outcome of ${id} in the fleet`);
const flat = async (text: Promise<string | null>) => ((await text) ?? '').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  stack = await startTouchStack({
    deviceId: 'cm-console-diag',
    pty: false,
    withConsole: true,
    agent: { commands: { clockSkewS: 60, customerWaitS: 60, remoteControlMinutes: 30 } },
  });
  stack.broker.fleet.live.subscribe('diagnostics', (d) => void snapshots.push(d));
  staff = (await stack.broker.fleet.staff.add('sam', 'agent', 'Sam Support')).staff;
  await eventually(async () => (await stack.broker.fleet.devices.get(stack.deviceId))?.online, 'device online');
  await eventually(() => stack.agent.services.mcu.link === 'up', 'MCU link up');
  browser = await chromium.launch(CHROMIUM);
  kiosk = await (await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' })).newPage();
  await kiosk.goto(stack.kioskUrl);
  await kiosk.getByRole('heading', { name: 'Help topics' }).waitFor();
  staffView = await openConsoleAsAdmin(browser, stack);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the device view', () => {
  it('shows the host metrics of the newest snapshot: load, memory, disk, network, uptime', async () => {
    const request = await stack.broker.fleet.commands.send({
      deviceId: stack.deviceId,
      action: 'diagnostics.request',
      params: {},
      staff,
    });
    expect((await final(request.id)).status).toBe('succeeded');
    const host = await eventually(() => snapshots.find((s) => s.reason === 'request')?.host, 'the requested snapshot');
    await staffView.gotoDevice(stack.deviceId);
    const metrics = staffView.page.locator('tpc-device-panel #host-metrics');
    await metrics.locator('[data-host=memory]').waitFor();
    expect(await flat(metrics.locator('[data-host=load]').textContent())).toMatch(
      /^\d+\.\d{2} \/ \d+\.\d{2} \/ \d+\.\d{2}$/,
    );
    expect(await flat(metrics.locator('[data-host=memory]').textContent())).toMatch(
      /^[\d.,]+ (byte|kB|MB|GB|TB) used of [\d.,]+ (MB|GB|TB) \(\d+(\.\d)?%\)$/,
    );
    expect(await flat(metrics.locator('[data-host=disk]').textContent())).toMatch(
      /^[\d.,]+ (byte|kB|MB|GB|TB) free of [\d.,]+ (MB|GB|TB)$/,
    );
    const network = await flat(metrics.locator('[data-host=network]').textContent());
    if (host.net.length === 0) expect(network).toBe('no interface up');
    else for (const n of host.net) expect(network).toContain(`${n.name} ${n.address} ${n.family}`);
    expect(await flat(metrics.locator('[data-host=uptime]').textContent())).toMatch(/^\d+ (s|min|h|d)/);
    // The whole page: the host card sits below the sensor charts.
    await docScreenshot(
      { screenshot: (o) => staffView.page.screenshot({ ...o, fullPage: true }) },
      'console-device.png',
    );
  });

  it('sensor values refresh right after a fix, from the snapshot the agent sends when the command finishes', async () => {
    // The periodic snapshot is an hour away (test/helpers/virtual-device.ts): only the fix can bring the new value.
    const chart = staffView.page.locator('tpc-device-panel tpc-sensor-chart').filter({ hasText: 'Grind size' });
    const before = await flat(chart.locator('.value').textContent());
    const size = before === '4' ? '6' : '4';
    const seen = snapshots.length;
    await staffView.pushFix('set_grind_size', { size });
    await chart.locator('.value').getByText(size, { exact: true }).waitFor({ timeout: 30_000 });
    const after = snapshots.slice(seen);
    expect(after.map((s) => s.reason)).toEqual(['command']);
    expect(after[0]!.mcu.sensors.grind_size).toBe(Number(size));
    await staffView.page.locator('tpc-device-panel').getByText('(command)').waitFor();
  });
});

describe('the case view', () => {
  it('shows the snapshot taken at escalation next to the trace, and whether remote control is allowed, live', async () => {
    await kiosk.locator('#support').click();
    await kiosk.getByRole('dialog', { name: 'Contact support' }).waitFor();
    await kiosk.locator('#consent-share').click();
    const record = await eventually(
      () => stack.broker.fleet.cases.listForDevice(stack.deviceId)[0],
      'the case in the fleet database',
    );
    const shared = record.diagnostics as DiagnosticsMessage;
    await staffView.page.goto(`${staffView.baseUrl}/#/queue/${record.id}`);
    const panel = staffView.page.locator('tpc-queue-panel');
    const snapshot = panel.locator('#case-snapshot');
    await snapshot.getByRole('heading', { name: 'Diagnostics at escalation' }).waitFor();
    // Delivered at once: the case does not claim the device was offline.
    expect(await panel.locator('[data-received]').count()).toBe(0);

    // Every reading of the shared snapshot, by the profile's name and unit; its errors; its host.
    await snapshot.locator('[data-sensor=water_tank_level]').waitFor();
    expect(await flat(snapshot.locator('[data-sensor=water_tank_level]').textContent())).toBe(
      `${String(shared.mcu.sensors.water_tank_level)} %`,
    );
    expect(await snapshot.locator('[data-sensor]').count()).toBe(Object.keys(shared.mcu.sensors).length);
    await snapshot.getByText('Water tank', { exact: true }).waitFor();
    const errors = snapshot.locator('[data-snapshot=errors]');
    if (shared.mcu.errors.length === 0) expect(await flat(errors.textContent())).toBe('none');
    else
      expect(await errors.locator('tpc-badge').evaluateAll((els) => els.map((e) => e.getAttribute('label')))).toEqual(
        shared.mcu.errors,
      );
    await snapshot.locator('[data-host=memory]').waitFor();

    // Next to the trace: side by side, tops aligned.
    const trace = await panel.locator('section[aria-labelledby=trace-h]').boundingBox();
    const snap = await snapshot.boundingBox();
    expect([snap!.x > trace!.x + trace!.width - 1, Math.abs(snap!.y - trace!.y) < 2]).toEqual([true, true]);

    const remote = panel.locator('#case-remote-control');
    await remote.getByText('Not allowed: actions that need the customer wait for their tap').waitFor();
    // Staff ask for an action that needs the customer; the customer allows remote control for a while instead.
    const grinder = await stack.broker.fleet.commands.send({
      deviceId: stack.deviceId,
      action: 'clear_grinder',
      params: { pulses: 1 },
      staff,
    });
    await kiosk.locator('#support-allow-remote').click();
    await remote.getByText('Allowed by the customer').waitFor();
    expect(await flat(remote.locator('[data-remote=allowed]').textContent())).toMatch(
      /^until \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s?[AP]M$/,
    );
    expect((await final(grinder.id)).status).toBe('succeeded');
    await staffView.page.locator('tpc-toasts .toast').evaluateAll((toasts) => toasts.forEach((t) => t.remove()));
    await docScreenshot(staffView.page, 'console-queue.png');
    await kiosk.locator('#support-remote-end').click();
    await remote.getByText('Not allowed: actions that need the customer wait for their tap').waitFor();
  });

  it('a case without a snapshot says so, and remote control is unknown while the device has sent no diagnostics', async () => {
    const { token } = await stack.broker.fleet.provisionDevice('cm-console-bare', 'coffee-machine');
    const bare = new SimulatedDevice('cm-console-bare', token, `mqtt://127.0.0.1:${stack.broker.mqttPort}`);
    await bare.connect();
    try {
      // An escalation that carries no diagnostics (the customer's device could not read its MCU).
      await bare.escalate('case-bare-1', 'customer_request', 'descale', 'sess-bare-1', []);
      await eventually(() => stack.broker.fleet.cases.get('case-bare-1'), 'the bare case in the fleet');
      await staffView.page.goto(`${staffView.baseUrl}/#/queue/case-bare-1`);
      const panel = staffView.page.locator('tpc-queue-panel');
      await panel.locator('#case-snapshot').getByText('The device sent no diagnostics with this case.').waitFor();
      await panel.locator('#case-remote-control').getByText('Unknown: no diagnostics from the device yet').waitFor();
    } finally {
      await bare.close();
    }
  });
});
