import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatListResponse } from '@touchpoint/protocol';
import { ConsolePage, StaffApi } from '../console/helpers.js';
import { WAIT, expectText, startE2E, type E2EStack } from '../e2e/harness.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { eventually } from '../helpers/virtual-device.js';

/**
 * Issue 17, "The phone as a full touchpoint", in Chromium: the customer taps "Use my phone" on the
 * touchscreen (800x480), scans the code with a phone (a 390x844 touch viewport, no app), and drives the
 * device's own help there: a check reads the virtual MCU's live sensor through the device, an action the
 * profile lets the phone confirm runs on the MCU, one that needs the customer at the machine waits for
 * the touchscreen, the steps are marked as the phone's in the case and in the console, and the customer
 * ends the phone's access on the touchscreen. The real broker, agent, touch UI and virtual coffee machine.
 */
const DEVICE = 'cm-phone-1';

let e: E2EStack;
let c: ConsolePage;
let touch: Page;
let phone: Page;
let link: string;
let password: string;

const onPhone = (step: string) => phone.locator(`#screen[data-step="${step}"]`).waitFor(WAIT);
const phoneButton = (name: string) => phone.locator('#screen').getByRole('button', { name, exact: true });
const sensor = (id: string) => e.device.mcu.mcu.sensors.get(id);

beforeAll(async () => {
  e = await startE2E(DEVICE);
  password = await e.stack.addStaff('pia', 'agent', 'Pia Agent');
  c = await ConsolePage.open(e.browser, e.stack.baseUrl);
  await c.login('pia', password);
  touch = await e.openTouchscreen();
  phone = await e.openPhone();
});

afterAll(async () => {
  await e?.close();
});

describe('the phone as a touchpoint', () => {
  it('opens from the code and drives the device: live check, actions, case, console, end on the device', async () => {
    // The code on the touchscreen: a single-use link to the broker, drawn on the device.
    await touch.locator('#phone-open').click();
    const code = touch.locator('tp-phone-access #phone-code');
    await code.locator('img').waitFor(WAIT);
    link = (await code.getAttribute('data-url')) ?? '';
    expect(link).toMatch(new RegExp(`^${e.stack.baseUrl}/p/[A-Za-z0-9_-]{43}$`));
    await docScreenshot(touch, 'journey-phone-code.png');

    await phone.goto(link);
    await phone.getByRole('heading', { name: 'How can we help?' }).waitFor(WAIT);
    await expectText(phone.locator('#device'), 'Bean-to-cup coffee machine');
    // The touchscreen shows that a phone holds access, with the control that ends it.
    await touch.locator('#phone-end').waitFor(WAIT);
    expect(await phone.evaluate(() => location.pathname)).toBe('/p/');
    await docScreenshot(phone, 'journey-phone-home.png');

    // A needsCustomer action (clear_grinder) is confirmed on the device only; the phone says so.
    await phone.getByRole('button', { name: 'Grinder jammed' }).click();
    await onPhone('ask_object');
    await phoneButton('No').click();
    await onPhone('clear');
    await phone.locator('[data-confirm-on-device]').waitFor(WAIT);
    expect(await phoneButton('Run on the device').count()).toBe(0);
    await touch.locator('tp-flow-player #confirm-action').click();
    await onPhone('resolved');
    await phoneButton('Next').click();
    await onPhone('rate');
    await phone.locator('#screen .scale').getByRole('button', { name: '6' }).click();
    await phoneButton('Yes').click();
    await phone.locator('#screen[data-kind="done"]').waitFor(WAIT);
    await phoneButton('Close').click();
    await phone.getByRole('heading', { name: 'How can we help?' }).waitFor(WAIT);

    // A check reads the live sensor on the device: grind size 3 (the fleet last saw 5) is fine, so the flow
    // goes on to the brew strength, not to "Grind finer".
    e.device.mcu.mcu.setSensor('grind_size', 3);
    await phone.getByRole('button', { name: 'Coffee too weak' }).click();
    await onPhone('ask_symptom');
    await phoneButton('Watery and pale').click();
    await onPhone('set_stronger');
    // An action the profile lets the phone confirm: it runs on the MCU.
    expect(sensor('brew_strength')).toBe(3);
    await docScreenshot(phone, 'journey-phone-action.png');
    await phoneButton('Run on the device').click();
    await onPhone('ask_better_strength');
    expect(sensor('brew_strength')).toBe(4);
    await phoneButton('Still too weak').click();
    await onPhone('beans');
    await phoneButton('No, the beans are fresh').click();
    await onPhone('escalate');
    await docScreenshot(touch, 'journey-touch-phone-connected.png');

    // The customer shares the case on the device (consent stays on the touchscreen); the phone follows it.
    await touch.locator('tp-flow-player #support').click();
    await touch.locator('tp-consent-sheet #consent-share').click();
    await phone.locator('#case [data-case-status]').waitFor(WAIT);
    const caseId = await eventually(
      () => e.stack.broker.fleet.cases.listForDevice(DEVICE)[0]?.id,
      'the case reaches the fleet',
      WAIT.timeout,
    );
    const trace = e.stack.broker.fleet.cases.get(caseId)?.trace ?? [];
    const fromPhone = trace.filter((t) => 'via' in t && t.via === 'phone').map((t) => t.kind);
    expect(fromPhone).toEqual(expect.arrayContaining(['start', 'choice', 'check', 'action']));
    expect(trace.find((t) => t.kind === 'action' && t.status === 'confirmed')).toMatchObject({ via: 'phone' });

    // The console's case view marks the phone's steps.
    await c.page.goto(`${e.stack.baseUrl}/#/queue`);
    await c.page.locator(`tpc-queue-panel a.case[data-case="${caseId}"]`).click();
    await c.page.locator('tpc-help-mirror [data-via="phone"]').first().waitFor(WAIT);
    await docScreenshot(c.page.locator('tpc-help-mirror'), 'journey-console-phone-steps.png');

    // The case's chat on the phone (issue 17, "Live chat"): staff ask with quick replies, the customer taps an
    // answer and writes on the phone, and the conversation is the case's one.
    const staff = new StaffApi(e.stack.baseUrl);
    await staff.login('pia', password);
    const asked = await staff.post(`/api/cases/${caseId}/chat`, {
      body: {
        kind: 'quickReplies',
        text: 'Which beans do you use?',
        choices: [
          { id: 'arabica', label: 'Arabica' },
          { id: 'robusta', label: 'Robusta' },
        ],
      },
    });
    expect(asked.status).toBeLessThan(300);
    const question = phone.locator('#chat-log li.staff', { hasText: 'Which beans do you use?' });
    await question.getByRole('button', { name: 'Arabica' }).click();
    await expectText(question, 'Answered: Arabica');
    await phone.locator('#chat-input').fill('Fresh beans, roasted last week.');
    await phone.locator('#chat-send').click();
    await phone.locator('#chat-log li.customer', { hasText: 'Fresh beans, roasted last week.' }).waitFor(WAIT);
    await docScreenshot(phone, 'journey-phone-chat.png');
    const chat = (await staff.get(`/api/cases/${caseId}/chat`)).body as ChatListResponse;
    expect(chat.items.find((i) => i.from === 'staff')?.answer?.choice).toBe('arabica');
    expect(
      chat.items.some((i) => i.from === 'customer' && 'text' in i.body && i.body.text.startsWith('Fresh beans')),
    ).toBe(true);

    // A video call from support: the phone offers the video hand-off's own link (consent is asked there).
    const call = await staff.post('/api/video/sessions', { deviceId: DEVICE });
    expect(call.status).toBe(201);
    const callId = (call.body as { session: { sessionId: string } }).session.sessionId;
    await expectText(phone.locator('#call'), 'Pia Agent from support would like a video call with you.');
    expect(await phone.locator('#call-join').getAttribute('href')).toMatch(
      new RegExp(`^${e.stack.baseUrl}/v/[A-Za-z0-9_-]{43}$`),
    );
    expect((await staff.post(`/api/video/sessions/${callId}/hangup`, {})).status).toBe(200);
    await phone.locator('#call').waitFor({ state: 'hidden', ...WAIT });

    // The customer ends the phone's access on the touchscreen: the phone says so and can do nothing more.
    await touch.locator('#phone-end').click();
    await phone.locator('body[data-phone-state="ended"]').waitFor(WAIT);
    await expectText(phone.locator('#status'), 'Access ended on the device');
    await docScreenshot(phone, 'journey-phone-ended.png');
    expect(await phone.locator('#screen button:visible, #home button:visible').count()).toBe(0);
    await touch.locator('#phone-open').waitFor(WAIT);

    // Every access is audited: the link, the claim, each step, the end.
    const audit = await e.stack.broker.fleet.audit.list({ deviceId: DEVICE, limit: 200 });
    const actions = audit.map((a) => `${a.action}:${a.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining(['phone.link:ok', 'phone.claim:ok', 'phone.step:ok', 'phone.chat:ok', 'phone.end:ok']),
    );
    expect(audit.find((a) => a.action === 'phone.end')?.detail).toMatchObject({ reason: 'device' });
    expect(c.pageErrors).toEqual([]);
  });

  it('takes a link once: a second phone opening it is refused', async () => {
    const second = await phone.context().newPage();
    await second.goto(link);
    await second.locator('body[data-phone-state="refused"]').waitFor(WAIT);
    await expectText(second.locator('#status'), 'This link cannot be used');
    const refused = (await e.stack.broker.fleet.audit.list({ action: 'phone.claim' })).filter(
      (a) => a.outcome === 'refused',
    );
    expect(refused.map((a) => a.detail)).toEqual([{ code: 'REPLAY' }]);
  });
});
