import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { createAgent, parseConfig, silentLogger, type Agent } from '@touchpoint/device-agent';
import { createBridge, loadModel, startVirtualMcu, type VirtualMcuHandle } from '@touchpoint/firmware-bridge';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const COFFEE_DIR = join(REPO_ROOT, 'examples', 'coffee-machine');

/** The flags every browser test uses (see notes: headless, loopback only). */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export interface TouchStack {
  broker: RunningBroker;
  mcu: VirtualMcuHandle;
  agent: Agent;
  deviceId: string;
  /** http://127.0.0.1:port of the agent's touch UI server. */
  uiUrl: string;
  stop(): Promise<void>;
}

export interface TouchStackOptions {
  deviceId?: string;
  /** true: the MCU sits behind a real socat pty pair (as on a device); false: in-process serial binding. */
  pty?: boolean;
  /** Action speed-up for the virtual MCU. */
  speed?: number;
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
    const broker = await startBroker({ dataDir: join(dir, 'broker'), mqttPort: 0, httpPort: 0, log: 'silent' });
    cleanups.push(() => broker.close());
    const { token } = broker.fleet.provisionDevice(deviceId, 'coffee-machine');

    const { profile, config } = await loadModel(COFFEE_DIR);
    const mcu = await startVirtualMcu({ profile, config, pty: options.pty ?? true, speed: options.speed ?? 2, randomFaultsPerMinute: 0 });
    cleanups.push(() => mcu.stop());

    const agentConfig = parseConfig({
      deviceId,
      brokerUrl: `mqtt://127.0.0.1:${broker.mqttPort}`,
      token,
      serial: { path: mcu.devicePath ?? '/dev/virtual-mcu', requestTimeoutMs: 2_000 },
      dataDir: join(dir, 'agent'),
      trustedKeys: [broker.fleet.signer],
      profile: COFFEE_DIR,
      diagnosticsIntervalS: 3_600,
      reconnect: { minMs: 100, maxMs: 1_000, connectTimeoutMs: 3_000 },
      localServer: { port: 0 },
    });
    const binding = mcu.binding;
    const agent = await createAgent(agentConfig, {
      logger: silentLogger,
      ...(binding ? { createBridge: (c, p) => createBridge({ path: c.serial.path, profile: p, binding }) } : {}),
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    const uiUrl = agent.services.localServer?.url;
    if (!uiUrl) throw new Error('the agent has no local server');
    return { broker, mcu, agent, deviceId, uiUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function eventually<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
