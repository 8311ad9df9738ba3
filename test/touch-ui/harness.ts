import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import type { Agent, AgentConfigInput } from '@touchpoint/device-agent';
import type { VirtualMcuHandle } from '@touchpoint/firmware-bridge/sim';
import type { Browser } from 'playwright-core';
import { buildConsoleInto, ConsolePage, StaffApi } from '../console/helpers.js';
import { startVirtualDevice } from '../helpers/virtual-device.js';

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
