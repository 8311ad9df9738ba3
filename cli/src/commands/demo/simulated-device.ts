import { join } from 'node:path';
import { createAgent, parseConfig, silentLogger, type Agent, type Logger } from '@touchpoint/device-agent';
import { createBridge } from '@touchpoint/firmware-bridge';
import { loadModel, startVirtualMcu, type VirtualMcuHandle } from '@touchpoint/firmware-bridge/sim';

export interface SimulatedDeviceOptions {
  deviceId: string;
  model: string;
  modelDir: string;
  token: string;
  brokerUrl: string;
  trustedKey: { keyId: string; publicKeyPem: string };
  /** The root that signs key lists, so `touchpoint key rotate` reaches demo devices too (docs/keys.md). */
  rootKeys?: { keyId: string; publicKeyPem: string }[];
  dataDir: string;
  uiPort: number;
  /** `pty`: virtual MCU behind a real socat pseudo-terminal; `memory`: in-process serial binding. */
  serial: 'pty' | 'memory';
  randomFaultsPerMinute: number;
  logger?: Logger;
}

export interface SimulatedDevice {
  deviceId: string;
  model: string;
  /** The touchscreen's kiosk URL: the UI server with the per-boot kiosk secret in the fragment (without it the UI cannot connect). */
  uiUrl: string;
  serialPath: string;
  mcu: VirtualMcuHandle;
  agent: Agent;
  stop(): Promise<void>;
}

/** One demo device: a virtual MCU, the firmware bridge, the agent and its touchscreen UI server. */
export async function startSimulatedDevice(o: SimulatedDeviceOptions): Promise<SimulatedDevice> {
  const { profile, config } = await loadModel(o.modelDir);
  const mcu = await startVirtualMcu({
    profile,
    config,
    randomFaultsPerMinute: o.randomFaultsPerMinute,
    ...(o.serial === 'pty' ? { pty: true } : {}),
  });
  const serialPath = mcu.devicePath ?? `virtual:${o.deviceId}`;
  try {
    const agentConfig = parseConfig({
      deviceId: o.deviceId,
      brokerUrl: o.brokerUrl,
      token: o.token,
      serial: { path: serialPath },
      dataDir: join(o.dataDir, 'demo', 'agents', o.deviceId),
      trustedKeys: [o.trustedKey],
      ...(o.rootKeys?.length ? { rootKeys: o.rootKeys } : {}),
      profile: o.modelDir,
      diagnosticsIntervalS: 15,
      keepaliveS: 15,
      reconnect: { minMs: 500, maxMs: 10_000, connectTimeoutMs: 5_000 },
      localServer: { port: o.uiPort },
    });
    const binding = mcu.binding;
    const agent = await createAgent(agentConfig, {
      logger: o.logger ?? silentLogger,
      ...(binding ? { createBridge: (_cfg, prof) => createBridge({ path: serialPath, profile: prof, binding }) } : {}),
    });
    await agent.start();
    return {
      deviceId: o.deviceId,
      model: o.model,
      uiUrl: agent.services.localServer?.kioskUrl ?? `http://127.0.0.1:${o.uiPort}/`,
      serialPath,
      mcu,
      agent,
      async stop() {
        await agent.stop();
        await mcu.stop();
      },
    };
  } catch (err) {
    await mcu.stop();
    throw err;
  }
}
