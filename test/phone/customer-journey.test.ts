import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatListResponse, HelpSessionResponse } from '@touchpoint/protocol';
import { ConsolePage, StaffApi } from '../console/helpers.js';
import { WAIT, expectText, startE2E, type E2EStack } from '../e2e/harness.js';
import { eventually } from '../helpers/virtual-device.js';

/**
 * Issue 17, "What it must show": the customer's journey in Chromium. A customer whose water tank is empty
 * starts help on the touchscreen, the check on the device fails, they escalate there (consent on the
 * device), support writes in the case's chat, and the customer continues on their phone from the code:
 * their escalated session, the case and the chat are there; after refilling they run the same flow again
 * on the phone, whose check reads the device's live sensor, and it resolves. Support sees the phone's
 * steps (marked) in the fleet's session and the console's live mirror, and the reply in the case's chat.
 * (Chat on the touchscreen and offline chat are the live chat's own tests, test/chat.)
 */
const DEVICE = 'cm-journey-1';

let e: E2EStack;
let c: ConsolePage;
let staff: StaffApi;
let touch: Page;
let phone: Page;

beforeAll(async () => {
  e = await startE2E(DEVICE);
  const password = await e.stack.addStaff('jo', 'agent', 'Jo Agent');
  c = await ConsolePage.open(e.browser, e.stack.baseUrl);
  await c.login('jo', password);
  staff = new StaffApi(e.stack.baseUrl);
  await staff.login('jo', password);
  touch = await e.openTouchscreen();
  phone = await e.openPhone();
});

afterAll(async () => {
  await e?.close();
});

describe("the customer's journey: touchscreen, case, chat, phone", () => {
  it('escalates on the device, chats, and runs the same flow on the phone with a live check', async () => {
    e.device.mcu.mcu.setSensor('water_tank_level', 4);
    await touch.locator('tp-home button[data-flow="water-tank-empty"]').click();
    await touch.locator('tp-flow-player #next').click();
    // The check on the device reads the tank: still empty, so the flow asks.
    await expectText(touch.locator('tp-flow-player #question'), 'still reports the tank as empty');

    await touch.locator('tp-flow-player #support').click();
    await touch.locator('tp-consent-sheet #consent-share').click();
    const caseId = await eventually(
      () => e.stack.broker.fleet.cases.listForDevice(DEVICE)[0]?.id,
      'the case reaches the fleet',
      WAIT.timeout,
    );
    const sessionId = e.stack.broker.fleet.cases.get(caseId)?.sessionId ?? '';
    expect(sessionId).not.toBe('');
    const asked = await staff.post(`/api/cases/${caseId}/chat`, {
      body: { kind: 'text', text: 'Please refill the tank, then carry on on your phone.' },
    });
    expect(asked.status).toBeLessThan(300);

    // The customer continues on the phone: their escalated session, the case and the chat.
    await touch.locator('#phone-open').click();
    const code = touch.locator('tp-phone-access #phone-code');
    await code.locator('img').waitFor(WAIT);
    await phone.goto((await code.getAttribute('data-url')) ?? '');
    await phone.locator('#screen[data-step="still_empty"][data-kind="outcome"]').waitFor(WAIT);
    await phone.locator('#case [data-case-status]').waitFor(WAIT);
    await phone.locator('#chat-log li.staff', { hasText: 'Please refill the tank' }).waitFor(WAIT);

    // Refilled: the customer runs the same flow again on the phone; its check reads the tank on the device now.
    e.device.mcu.mcu.setSensor('water_tank_level', 85);
    await phone.locator('#screen').getByRole('button', { name: 'Close' }).click();
    await phone.getByRole('button', { name: 'Water tank empty' }).click();
    await phone.locator('#screen[data-step="fill"]').getByRole('button', { name: 'Next' }).click();
    await phone.locator('#screen[data-step="resolved"]').waitFor(WAIT);
    await phone.locator('#chat-input').fill('Refilled, it works now. Thank you!');
    await phone.locator('#chat-send').click();
    await phone.locator('#chat-log li.customer', { hasText: 'Refilled, it works now.' }).waitFor(WAIT);

    // Support: the customer's reply in the case's chat, and the phone's steps in the case's session …
    const chat = (await staff.get(`/api/cases/${caseId}/chat`)).body as ChatListResponse;
    expect(chat.items.map((i) => `${i.from}: ${'text' in i.body ? i.body.text : i.body.kind}`)).toEqual([
      'staff: Please refill the tank, then carry on on your phone.',
      'customer: Refilled, it works now. Thank you!',
    ]);
    const escalated = e.stack.broker.fleet.cases.get(caseId)?.trace ?? [];
    expect(escalated.find((t) => t.kind === 'check')).toMatchObject({ result: false });
    expect(escalated.some((t) => 'via' in t)).toBe(false);
    const session = await eventually(
      async () => {
        const r = (await staff.get(`/api/devices/${DEVICE}/session`)).body as HelpSessionResponse;
        return r.session?.id !== sessionId && r.trace.some((t) => t.kind === 'outcome' && t.outcome === 'resolved')
          ? r
          : undefined;
      },
      "the phone's resolved session in the fleet",
      WAIT.timeout,
    );
    const byPhone = session.trace.filter((t) => 'via' in t && t.via === 'phone');
    expect(byPhone.map((t) => t.kind)).toEqual(expect.arrayContaining(['start', 'choice', 'check']));
    expect(byPhone.find((t) => t.kind === 'check')).toMatchObject({ result: true });

    // … and in the console's live mirror of the device.
    await c.gotoDevice(DEVICE);
    await expectText(c.page.locator('tpc-help-mirror'), 'on the customer’s phone');
    expect(c.pageErrors).toEqual([]);
  });
});
