import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, type VideoSessionView } from '@touchpoint/protocol';
import { CHROMIUM, eventually } from '../touch-ui/harness.js';
import { startVideoStack, type VideoStack } from './harness.js';

/**
 * One phone per call, as the customer lives it (issue 12, item 8): the real
 * touchscreen shows a code, a phone opens it, the customer taps "New code" on
 * the device, and the first phone is let go (it says so) while a second phone
 * with the new code takes the call. Real broker, agent, touch UI and phone
 * page in Chromium (fake media).
 */
let stack: VideoStack;
let browser: Browser;
let device: Page;
let login: { token: string; csrfToken: string };

beforeAll(async () => {
  stack = await startVideoStack(30_000);
  const { staff } = await stack.broker.fleet.staff.add('vera', 'agent', 'Vera Video');
  login = stack.broker.fleet.staff.createSession(staff.id);
  await eventually(
    async () => (await stack.broker.fleet.devices.get(stack.noCamera.deviceId))?.online,
    'device online',
  );
  browser = await chromium.launch({
    ...CHROMIUM,
    args: [...CHROMIUM.args, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  device = await (await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' })).newPage();
  await device.goto(stack.noCamera.kioskUrl);
  await device.getByRole('heading', { name: 'Help topics' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const api = (path: string, body: unknown) =>
  fetch(`${stack.brokerUrl}${path}`, {
    method: 'POST',
    headers: {
      cookie: `tp_session=${login.token}`,
      [CSRF_HEADER]: login.csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
const shownLink = () =>
  device.evaluate(
    () => (document.querySelector('tp-video') as unknown as { call: { handoffUrl?: string } }).call.handoffUrl ?? '',
  );
const phoneState = (page: Page) => page.evaluate(() => document.body.dataset.callState ?? '');

async function openPhone(url: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(url);
  await page.getByText('Vera Video from support would like to start a video call with you.').waitFor();
  return page;
}

describe('a new code on the device', () => {
  it('lets go of the phone that opened the old code; the phone with the new code takes the call', async () => {
    const res = await api('/api/video/sessions', { deviceId: stack.noCamera.deviceId });
    expect(res.status).toBe(201);
    const { sessionId } = ((await res.json()) as { session: VideoSessionView }).session;
    await device.locator('tp-video #video-qr').waitFor();
    const first = await shownLink();
    const phoneA = await openPhone(first);

    await device.getByRole('button', { name: 'New code' }).click();
    await eventually(async () => (await shownLink()) !== first, 'the touchscreen to show a new code');
    await eventually(async () => (await phoneState(phoneA)) === 'refused', 'phone A to be let go');
    await expect(phoneA.locator('#status').textContent()).resolves.toContain(
      'This phone is no longer part of the call',
    );
    await expect(phoneA.locator('#consent').isHidden()).resolves.toBe(true);

    const phoneB = await openPhone(await shownLink());
    await phoneB.locator('#accept').click();
    await eventually(
      async () =>
        (
          await device
            .locator('tp-video section.note')
            .textContent()
            .catch(() => '')
        )?.includes('continues on your phone'),
      'the touchscreen to say the call moved to the phone',
    );
    expect(
      (await stack.broker.fleet.audit.list({ limit: 1000 }))
        .filter((e) => e.target === sessionId)
        .map((e) => e.action)
        .reverse(),
    ).toEqual(['video.request', 'video.handoff', 'video.handoff.release', 'video.handoff', 'video.consent']);
    expect((await api(`/api/video/sessions/${sessionId}/hangup`, {})).status).toBe(200);
    await eventually(async () => (await phoneState(phoneB)) === 'ended', 'phone B to see the end');
  });
});
