import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import type { Agent, AgentConfigInput } from '@touchpoint/device-agent';
import type { VirtualMcuHandle } from '@touchpoint/firmware-bridge/sim';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConsoleInto, ConsolePage, StaffApi } from '../console/helpers.js';
import { eventually, startVirtualDevice } from '../helpers/virtual-device.js';

export { COFFEE_DIR, REPO_ROOT, eventually } from '../helpers/virtual-device.js';

/** The flags every browser test uses (see notes: headless, loopback only). */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export interface TouchStack {
  broker: RunningBroker;
  mcu: VirtualMcuHandle;
  agent: Agent;
  deviceId: string;
  /** http://127.0.0.1:port of the agent's touch UI server. */
  uiUrl: string;
  /** The URL the kiosk opens: uiUrl with the per-boot kiosk secret in the fragment. */
  kioskUrl: string;
  stop(): Promise<void>;
}

export interface TouchStackOptions {
  deviceId?: string;
  /** true: the MCU sits behind a real socat pty pair (as on a device); false: in-process serial binding. */
  pty?: boolean;
  /** Action speed-up for the virtual MCU. */
  speed?: number;
  /** A model folder (profile.json, flows/); default the example coffee machine. */
  modelDir?: string;
  /** Extra agent config fields (merged over the test defaults). */
  agent?: Partial<AgentConfigInput>;
  /** true: the broker serves a console built for this stack, for tests that check both screens (openConsoleAsAdmin). */
  withConsole?: boolean;
}

/** A real broker (temp dir), a virtual coffee machine and the real agent serving the touch UI. */
export async function startTouchStack(options: TouchStackOptions = {}): Promise<TouchStack> {
  const deviceId = options.deviceId ?? 'cm-touch-1';
  const dir = await mkdtemp(join(tmpdir(), 'tp-touch-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const consoleDir = join(dir, 'console');
    if (options.withConsole) {
      await mkdir(consoleDir);
      await buildConsoleInto(consoleDir);
    }
    const broker = await startBroker({
      dataDir: join(dir, 'broker'),
      mqttPort: 0,
      httpPort: 0,
      log: 'silent',
      ...(options.withConsole ? { consoleDir } : {}),
    });
    cleanups.push(() => broker.close());
    const device = await startVirtualDevice(broker, {
      deviceId,
      dataDir: join(dir, 'agent'),
      pty: options.pty ?? true,
      speed: options.speed ?? 2,
      ...(options.modelDir ? { modelDir: options.modelDir } : {}),
      ...(options.agent ? { agent: options.agent } : {}),
    });
    cleanups.push(() => device.stop());
    return {
      broker,
      mcu: device.mcu,
      agent: device.agent,
      deviceId,
      uiUrl: device.uiUrl,
      kioskUrl: device.kioskUrl,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The stack's console (startTouchStack withConsole) in a new browser context, signed in as the initial admin
 * (whose one-time password is replaced on the way), for tests that watch the device from the staff side too.
 */
export async function openConsoleAsAdmin(browser: Browser, stack: TouchStack): Promise<ConsolePage> {
  const baseUrl = `http://127.0.0.1:${stack.broker.httpPort}`;
  const admin = stack.broker.initialAdmin;
  if (!admin) throw new Error('the broker printed no initial admin (an existing data directory?)');
  const password = await new StaffApi(baseUrl).loginReady(admin.name, admin.password);
  const view = await ConsolePage.open(browser, baseUrl);
  await view.login(admin.name, password);
  return view;
}

export interface Kiosk {
  stack: TouchStack;
  browser: Browser;
  /** The kiosk page at the touchscreen's 800x480, in English, on the home screen. */
  page: Page;
  stop(): Promise<void>;
}

/**
 * startTouchStack, then the touchscreen as the customer sees it: waits until the device is online with its MCU
 * link up, and opens the kiosk in Chromium on the home screen. `watch` sees the page before it loads (to record
 * its requests, say).
 */
export async function openKiosk(
  options: TouchStackOptions & { watch?: (page: Page, stack: TouchStack) => void } = {},
): Promise<Kiosk> {
  const stack = await startTouchStack(options);
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await stack.stop();
  };
  try {
    await eventually(async () => (await stack.broker.fleet.devices.get(stack.deviceId))?.online, 'device online');
    await eventually(() => stack.agent.services.mcu.link === 'up', 'MCU link up');
    browser = await chromium.launch(CHROMIUM);
    const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
    const page = await context.newPage();
    options.watch?.(page, stack);
    await page.goto(stack.kioskUrl);
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
    return { stack, browser, page, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
