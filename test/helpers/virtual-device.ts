/**
 * One simulated device made of real parts, for cross-workspace tests: the
 * virtual MCU (behind a socat pty pair, or in-process), the real device agent
 * with its touch UI server, provisioned on a running broker. The agent can be
 * stopped and started again on the same data dir, client id and UI port (an
 * offline device coming back), while the MCU keeps running.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningBroker } from '@touchpoint/broker';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { createAgent, parseConfig, silentLogger, type Agent, type AgentConfigInput } from '@touchpoint/device-agent';
import { createBridge } from '@touchpoint/firmware-bridge';
import { loadModel, startVirtualMcu, type VirtualMcuHandle } from '@touchpoint/firmware-bridge/sim';
import type { TrustedKey } from '@touchpoint/protocol/signing';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** The bundled coffee machine, from the one models registry (issue 14: no hard-coded examples path). */
export const COFFEE_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');

export interface VirtualDeviceOptions {
  deviceId: string;
  /** Where the agent keeps its database and outbox (the caller owns and removes it). */
  dataDir: string;
  /** A model folder (profile.json, flows/, mcu-sim.json); default the example coffee machine. */
  modelDir?: string;
  /** Fleet tags at provisioning. */
  tags?: string[];
  /** true (default): the MCU sits behind a real socat pty pair, as on a device; false: in-process serial binding. */
  pty?: boolean;
  /** Action speed-up for the virtual MCU (default 2). */
  speed?: number;
  /** Extra agent config fields (merged over the test defaults). */
  agent?: Partial<AgentConfigInput>;
}

export interface VirtualDevice {
  readonly deviceId: string;
  readonly token: string;
  readonly mcu: VirtualMcuHandle;
  /** The running agent (a new object after startAgent). */
  readonly agent: Agent;
  /** http://127.0.0.1:port of the agent's touch UI server; the same across agent restarts. */
  readonly uiUrl: string;
  /** What the kiosk browser opens: uiUrl with the per-boot kiosk secret in the fragment (the same across agent restarts). */
  readonly kioskUrl: string;
  /** Stops the agent (a clean disconnect; the broker keeps its persistent session). The MCU keeps running. */
  stopAgent(): Promise<void>;
  /** Starts a fresh agent on the same data dir, client id and UI port. */
  startAgent(): Promise<void>;
  /** Stops the agent (if running) and the MCU. */
  stop(): Promise<void>;
}

/**
 * Where a virtual device is provisioned and connects: the embedded broker, or a cluster (its
 * engine-auth provisions, a node or a relay in front of one takes the connection).
 */
export interface DeviceFleet {
  provision(deviceId: string, model: string, tags: string[]): Promise<{ token: string }>;
  brokerUrl: string;
  /** The fleet's command key (public half), which the agent trusts. */
  signer: TrustedKey;
}

export function embeddedFleet(broker: RunningBroker): DeviceFleet {
  return {
    provision: (id, model, tags) => broker.fleet.provisionDevice(id, model, tags),
    brokerUrl: `mqtt://127.0.0.1:${broker.mqttPort}`,
    signer: broker.fleet.signer,
  };
}

export async function startVirtualDevice(
  target: RunningBroker | DeviceFleet,
  options: VirtualDeviceOptions,
): Promise<VirtualDevice> {
  const fleet = 'provision' in target ? target : embeddedFleet(target);
  const modelDir = options.modelDir ?? COFFEE_DIR;
  const { profile, config } = await loadModel(modelDir);
  const { token } = await fleet.provision(options.deviceId, profile.model, options.tags ?? []);
  const mcu = await startVirtualMcu({
    profile,
    config,
    pty: options.pty ?? true,
    speed: options.speed ?? 2,
    randomFaultsPerMinute: 0,
  });
  const binding = mcu.binding;
  let uiPort = 0;
  let kioskUrl = '';
  let agent: Agent | undefined;

  const startAgent = async () => {
    if (agent) throw new Error(`the agent of ${options.deviceId} is already running`);
    const agentConfig = parseConfig({
      deviceId: options.deviceId,
      brokerUrl: fleet.brokerUrl,
      token,
      serial: { path: mcu.devicePath ?? `virtual:${options.deviceId}`, requestTimeoutMs: 2_000 },
      dataDir: options.dataDir,
      trustedKeys: [fleet.signer],
      profile: modelDir,
      diagnosticsIntervalS: 3_600,
      reconnect: { minMs: 100, maxMs: 1_000, connectTimeoutMs: 3_000 },
      localServer: { port: uiPort },
      ...options.agent,
    });
    const next = await createAgent(agentConfig, {
      logger: silentLogger,
      ...(binding ? { createBridge: (c, p) => createBridge({ path: c.serial.path, profile: p, binding }) } : {}),
    });
    try {
      await next.start();
    } catch (err) {
      await next.stop().catch(() => undefined);
      throw err;
    }
    agent = next;
    const url = next.services.localServer?.url;
    if (!url) throw new Error('the agent has no local server');
    uiPort = Number(new URL(url).port);
    kioskUrl = next.services.localServer?.kioskUrl ?? '';
  };
  const stopAgent = async () => {
    const running = agent;
    agent = undefined;
    await running?.stop();
  };

  try {
    await startAgent();
  } catch (err) {
    await mcu.stop().catch(() => undefined);
    throw err;
  }
  return {
    deviceId: options.deviceId,
    token,
    mcu,
    get agent() {
      if (!agent) throw new Error(`the agent of ${options.deviceId} is stopped`);
      return agent;
    },
    get uiUrl() {
      return `http://127.0.0.1:${uiPort}`;
    },
    get kioskUrl() {
      return kioskUrl;
    },
    stopAgent,
    startAgent,
    async stop() {
      await stopAgent().catch(() => undefined);
      await mcu.stop();
    },
  };
}

/** Polls `probe` until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
