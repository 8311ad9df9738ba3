import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsolePage } from '../console/helpers.js';
import { WAIT, escalateFromKiosk, expectText, signedInAgent, startE2E, type E2EStack } from '../e2e/harness.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { eventually } from '../helpers/virtual-device.js';

/**
 * Issue 17, "Live chat", in Chromium: the customer and the staff member on a case write to each other, the
 * customer answers a quick reply with a tap, both see typing and read state, and what the customer writes while
 * the device is offline (its network cut, the broker still running) arrives in order after the reconnect. The
 * real broker, the real agent with its touch UI, the virtual coffee machine, the console.
 */
const DEVICE = 'cm-chat-ui';

let e: E2EStack;
let c: ConsolePage;
let touch: Page;
let caseId: string;

beforeAll(async () => {
  e = await startE2E(DEVICE, {}, { network: true });
  c = await signedInAgent(e, 'cleo', 'Cleo Agent');
  touch = await e.openTouchscreen();
  caseId = await escalateFromKiosk(e, 'the grinder is stuck');
});

afterAll(async () => {
  await e?.close();
});

/** The texts of the console's chat, oldest first. */
const consoleTexts = (): Promise<string[]> => c.page.locator('tpc-case-chat .msg .text').allInnerTexts();

describe('the live chat between the touchscreen and the console', () => {
  it('carries text both ways, a tapped quick reply, typing and read state', async () => {
    await touch.locator('#chat-open').click();
    await touch.getByRole('heading', { name: 'Chat with support' }).waitFor(WAIT);
    await touch.locator('#chat-input').fill('Hello, the grinder is stuck.');
    await touch.locator('#chat-send').click();
    await expectText(touch.locator('tp-chat .msg.customer').last(), 'Hello, the grinder is stuck.');

    await c.page.goto(`${e.stack.baseUrl}/#/queue`);
    await c.page.locator(`tpc-queue-panel a.case[data-case="${caseId}"]`).click();
    const chat = c.page.locator('tpc-case-chat');
    await expectText(chat.locator('.msg.customer').first(), 'Hello, the grinder is stuck.');
    // The agent has the chat on screen: the customer's message is read, and the touchscreen says so.
    await expectText(touch.locator('tp-chat .msg.customer').last(), 'Read');

    // The customer types: the console shows it; staff type: the touchscreen shows it.
    await touch.locator('#chat-input').pressSequentially('I w');
    await chat.locator('#chat-customer-typing').waitFor(WAIT);
    await touch.locator('#chat-input').fill('');
    await chat.locator('#chat-text').pressSequentially('Is the bean hopper empty?');
    await expectText(touch.locator('#chat-typing'), 'Cleo Agent is typing');
    await chat.locator('#chat-choices').fill('Yes, No');
    await chat.locator('#chat-send-choices').click();

    const offered = touch.locator('tp-chat .msg.staff[data-kind="quickReplies"]');
    await expectText(offered, 'Is the bean hopper empty?');
    await touch.locator('#chat-typing').waitFor({ state: 'hidden', ...WAIT });
    await offered.getByRole('button', { name: 'No' }).click();
    await expectText(chat.locator('.msg.staff[data-kind="quickReplies"] .answered'), 'The customer chose: No');
    expect(await offered.getByRole('button', { name: 'Yes' }).isDisabled()).toBe(true);
    // The customer saw the question: staff see it read.
    await chat.locator('.msg.staff[data-kind="quickReplies"][data-read="true"]').waitFor(WAIT);
    await docScreenshot(touch, 'live-chat-touch.png');
    await docScreenshot(c.page.locator('#case-chat'), 'live-chat-console.png');
    expect(c.pageErrors).toEqual([]);
  });

  it('keeps what the customer writes offline and delivers it in order after the reconnect', async () => {
    await e.network!.cut();
    await eventually(() => !e.device.agent.services.connection.connected, 'the device is offline', WAIT.timeout);
    await expectText(touch.locator('tp-chat'), 'No connection right now');
    const offline = ['First while offline', 'Second while offline', 'Third while offline'];
    for (const text of offline) {
      await touch.locator('#chat-input').fill(text);
      await touch.locator('#chat-send').click();
      await expectText(touch.locator('tp-chat .msg.customer').last(), text);
    }
    await expect
      .poll(async () => touch.locator('tp-chat .msg.customer[data-state="queued"]').count(), WAIT)
      .toBe(offline.length);
    expect((await consoleTexts()).filter((t) => offline.includes(t))).toEqual([]);

    await e.network!.restore();
    await expect.poll(async () => (await consoleTexts()).filter((t) => offline.includes(t)), WAIT).toEqual(offline);
    // Each exactly once in the case, after everything written before the outage.
    const stored = (await e.stack.broker.fleet.chat.list(caseId)).map((m) => ('text' in m.body ? m.body.text : ''));
    expect(stored.filter((t) => offline.includes(t))).toEqual(offline);
    expect(stored.indexOf('Hello, the grinder is stuck.')).toBeLessThan(stored.indexOf(offline[0]!));
    await expect.poll(async () => touch.locator('tp-chat .msg.customer[data-state="queued"]').count(), WAIT).toBe(0);
    expect(c.pageErrors).toEqual([]);
  });
});
