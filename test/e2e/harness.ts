/**
 * The whole product for end-to-end tests: the broker in-process (temp data
 * dir, ephemeral ports, a freshly built console), one virtual coffee machine
 * behind a real socat pty with the real agent and its touch UI server, and
 * one Chromium. Built from the console helpers and the shared virtual device.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  ARTIFACTS,
  ConsolePage,
  deepText,
  launchChromium,
  startConsoleStack,
  type ConsoleStack,
} from '../console/helpers.js';
import type { AgentConfigInput } from '@touchpoint/device-agent';
import { openKiosk } from '../helpers/kiosk-socket.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { eventually, startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';

export const E2E_ARTIFACTS = join(ARTIFACTS, 'e2e');

/** Generous: the machine has two cores shared with other suites. Waits are on conditions, never on time. */
export const WAIT = { timeout: 20_000, interval: 50 };

export interface E2EStack {
  stack: ConsoleStack;
  device: VirtualDevice;
  browser: Browser;
  /** With `{ network: true }`: the device's link to the broker, to cut and restore (an outage, the broker keeps running). */
  network?: TcpProxy;
  /** The customer's touchscreen: its own context at the device's 800x480. */
  openTouchscreen(): Promise<Page>;
  /** The customer's phone: a phone-sized touch viewport (390x844 at 2x), nothing opened yet. */
  openPhone(): Promise<Page>;
  close(): Promise<void>;
}

export async function startE2E(
  deviceId: string,
  agent: Partial<AgentConfigInput> = {},
  options: { network?: boolean } = {},
): Promise<E2EStack> {
  mkdirSync(E2E_ARTIFACTS, { recursive: true });
  const stack = await startConsoleStack();
  const closers: (() => Promise<unknown>)[] = [() => stack.close()];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const network = options.network ? await startTcpProxy(stack.broker.mqttPort) : undefined;
    if (network) closers.push(() => network.close());
    // Diagnostics every 2 s so the device view has live sensors, as on a real device (slower there).
    const device = await startVirtualDevice(stack.broker, {
      deviceId,
      dataDir: join(stack.dataDir, 'agent'),
      tags: ['e2e'],
      agent: {
        diagnosticsIntervalS: 2,
        ...(network ? { brokerUrl: `mqtt://127.0.0.1:${network.port}` } : {}),
        ...agent,
      },
    });
    closers.push(() => device.stop());
    await eventually(
      async () => (await stack.broker.fleet.devices.get(deviceId))?.online,
      `${deviceId} online`,
      WAIT.timeout,
    );
    await eventually(() => device.agent.services.mcu.link === 'up', 'the MCU link up', WAIT.timeout);
    const browser = await launchChromium();
    closers.push(() => browser.close());
    const contexts: BrowserContext[] = [];
    return {
      stack,
      device,
      browser,
      ...(network ? { network } : {}),
      close,
      async openTouchscreen() {
        const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
        contexts.push(context);
        const page = await context.newPage();
        await page.goto(device.kioskUrl);
        await page.getByRole('heading', { name: 'Help topics' }).waitFor(WAIT);
        return page;
      },
      async openPhone() {
        const context = await browser.newContext({
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
          locale: 'en-US',
        });
        contexts.push(context);
        return context.newPage();
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(E2E_ARTIFACTS, `${name}.png`) });
}

/** Waits until the text of `locator` (through shadow roots) contains `text`. */
export async function expectText(locator: Locator, text: string): Promise<void> {
  await expect.poll(() => deepText(locator), WAIT).toContain(text);
}

/** Waits until an attribute of `locator` has the value. */
export async function expectAttr(locator: Locator, name: string, value: string): Promise<void> {
  await expect
    .poll(
      () =>
        locator
          .first()
          .getAttribute(name, { timeout: 1_000 })
          .catch(() => null),
      WAIT,
    )
    .toBe(value);
}

/** A command's status history as the fleet recorded it: every stage, in order. */
export function expectDeliveryHistory(statuses: readonly string[], outcome: string): void {
  expect(statuses).toEqual(['queued', 'delivered', 'accepted', outcome]);
}

/** A new agent (role agent) signed in to the console in its own browser context. */
export async function signedInAgent(e: E2EStack, name: string, displayName: string): Promise<ConsolePage> {
  const password = await e.stack.addStaff(name, 'agent', displayName);
  const c = await ConsolePage.open(e.browser, e.stack.baseUrl);
  await c.login(name, password);
  return c;
}

/**
 * The customer's escalation of the descale flow through the touchscreen's own socket, for tests of what comes
 * after (the escalation UI has its own tests); resolves with the case id once the case is in the fleet.
 */
export async function escalateFromKiosk(e: E2EStack, reason: string): Promise<string> {
  const ui = await openKiosk(e.device.uiUrl, e.device.kioskUrl);
  try {
    await ui.request('help.start', { flowId: 'descale', locale: 'en' });
    const opened = (await ui.request('help.case.open', {
      locale: 'en',
      reason,
      consent: { diagnostics: true, helpSession: true },
    })) as { caseId: string };
    await eventually(() => e.stack.broker.fleet.cases.get(opened.caseId), 'the case reaches the fleet', WAIT.timeout);
    return opened.caseId;
  } finally {
    ui.close();
  }
}
