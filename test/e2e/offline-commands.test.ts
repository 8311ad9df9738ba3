import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandView } from '@touchpoint/protocol';
import { ConsolePage, StaffApi } from '../console/helpers.js';
import { WAIT, expectDeliveryHistory, expectText, shot, startE2E, type E2EStack } from './harness.js';

/**
 * Issue 6: "A fix pushed to an offline device is delivered on reconnect. An
 * expired one is shown as expired and never runs." With the real agent (its
 * MQTT session persists while it is stopped), the HTTP API as an agent staff
 * member (cookie + CSRF), the virtual MCU over a pty, and the console's device
 * view following the command states live.
 */
const DEVICE = 'cm-e2e-offline';

let e: E2EStack;
let api: StaffApi;
let c: ConsolePage;

beforeAll(async () => {
  // Default agent config: expiry is strict on the device, whatever its clock-skew allowance.
  e = await startE2E(DEVICE);
  const password = await e.stack.addStaff('otto', 'agent', 'Otto Agent');
  api = new StaffApi(e.stack.baseUrl);
  await api.login('otto', password);
  c = await ConsolePage.open(e.browser, e.stack.baseUrl);
  await c.login('otto', password);
  await c.gotoDevice(DEVICE);
});

afterAll(async () => {
  await e?.close();
});

const sensor = (id: string) => e.device.mcu.mcu.sensors.get(id);

async function push(action: string, params: Record<string, unknown>, ttlMs?: number): Promise<CommandView> {
  const res = await api.post(`/api/devices/${DEVICE}/commands`, { action, params, ...(ttlMs ? { ttlMs } : {}) });
  expect(res.status).toBe(201);
  return res.body as CommandView;
}

async function command(id: string): Promise<CommandView> {
  const res = await api.get(`/api/devices/${DEVICE}/commands`);
  expect(res.status).toBe(200);
  const found = (res.body as { items: CommandView[] }).items.find((x) => x.id === id);
  if (!found) throw new Error(`command ${id} is not listed`);
  return found;
}

/** The command's stepper in the console's device view ("Recent commands"). */
const consoleCommand = (action: string) =>
  c.page.locator('tpc-device-panel tpc-command-status').filter({ hasText: action }).first();
const stages = (action: string) =>
  consoleCommand(action)
    .locator('ol li')
    .evaluateAll((items) => items.map((li) => `${li.className} ${li.textContent?.trim() ?? ''}`))
    .catch(() => []);
const consoleStatus = (action: string) =>
  consoleCommand(action)
    .locator('ol')
    .getAttribute('data-status', { timeout: 1_000 })
    .catch(() => null);

async function goOffline(): Promise<void> {
  await e.device.stopAgent();
  await expect
    .poll(
      async () => ((await api.get(`/api/devices/${DEVICE}`)).body as { device: { online: boolean } }).device.online,
      WAIT,
    )
    .toBe(false);
  await expectText(c.devicePresence(), 'Offline');
}

describe('commands for an offline device (real agent, virtual MCU over a pty, API and console)', () => {
  it('delivers a fix pushed while the device is offline when it reconnects: queued → delivered → accepted → succeeded', async () => {
    await expectText(c.devicePresence(), 'Online');
    await goOffline();
    expect(sensor('grind_size')).toBe(5);
    const sent = await push('set_grind_size', { size: 8 });
    expect(sent.status).toBe('queued');
    await expect.poll(() => consoleStatus('set_grind_size'), WAIT).toBe('queued');
    await shot(c.page, 'offline-01-queued');
    expect((await command(sent.id)).status).toBe('queued');
    expect(sensor('grind_size')).toBe(5);

    await e.device.startAgent();
    await expect.poll(() => sensor('grind_size'), WAIT).toBe(8);
    await expect.poll(async () => (await command(sent.id)).status, WAIT).toBe('succeeded');
    expectDeliveryHistory(
      (await command(sent.id)).history.map((h) => h.status),
      'succeeded',
    );
    await expectText(c.devicePresence(), 'Online');
    await expect.poll(() => consoleStatus('set_grind_size'), WAIT).toBe('succeeded');
    // The stepper marks every stage done: queued → delivered → accepted → succeeded.
    await expect
      .poll(() => stages('set_grind_size'), WAIT)
      .toEqual(['done ✓ Queued', 'done ✓ Delivered', 'done ✓ Accepted', 'done ✓ Succeeded']);
    await shot(c.page, 'offline-02-delivered-on-reconnect');
  });

  it('shows a fix that expired while the device was offline as expired, and it never runs on the MCU', async () => {
    await goOffline();
    const strengthBefore = sensor('brew_strength');
    expect(strengthBefore).toBe(3);
    const stale = await push('set_brew_strength', { strength: 5 }, 1_000);
    expect(stale.expiresAt - stale.issuedAt).toBe(1_000);
    // The fleet's sweep marks it expired once the TTL has passed (no device involved).
    await expect.poll(async () => (await command(stale.id)).status, WAIT).toBe('expired');
    await expect.poll(() => consoleStatus('set_brew_strength'), WAIT).toBe('expired');
    await expectText(consoleCommand('set_brew_strength'), 'Expired');
    // A fresh fix queued behind it proves the device has seen the stale one once this one ran.
    const fresh = await push('set_grind_size', { size: 3 });
    await shot(c.page, 'offline-03-expired-while-offline');

    await e.device.startAgent();
    await expect.poll(async () => (await command(fresh.id)).status, WAIT).toBe('succeeded');
    expect(sensor('grind_size')).toBe(3);
    // The device got the stale command from its session and refused it itself (code EXPIRED)...
    await expect
      .poll(
        async () => (await command(stale.id)).history.filter((h) => h.status === 'expired').map((h) => h.code),
        WAIT,
      )
      .toContain('EXPIRED');
    const after = await command(stale.id);
    expect(after.status).toBe('expired');
    expect(after.history.map((h) => h.status)).not.toContain('accepted');
    expect(after.history.map((h) => h.status)).not.toContain('succeeded');
    // ...so the MCU never ran it.
    expect(sensor('brew_strength')).toBe(strengthBefore);
    await expectText(c.devicePresence(), 'Online');
    await expect.poll(() => consoleStatus('set_brew_strength'), WAIT).toBe('expired');
    await expect.poll(() => consoleStatus('set_grind_size'), WAIT).toBe('succeeded');
    await shot(c.page, 'offline-04-expired-never-ran');
    expect(c.pageErrors).toEqual([]);
  });
});
