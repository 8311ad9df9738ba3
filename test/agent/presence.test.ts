import { afterEach, describe, expect, it } from 'vitest';
import { Harness, spawnAgent, waitFor, writeAgentConfig } from './harness.js';

const KEEPALIVE_S = 4;

describe('agent presence (real broker, virtual MCU over a pty, agent process)', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it('shows online with agent, firmware and profile versions, and offline within the keepalive after SIGKILL', async () => {
    const broker = await h.broker(await h.tempDir('tp-broker-'));
    const mcu = await h.mcu();
    const { token } = await broker.fleet.provisionDevice('cm-presence', 'coffee-machine');
    const { configPath } = await writeAgentConfig(await h.tempDir('tp-agent-'), {
      deviceId: 'cm-presence',
      brokerUrl: `mqtt://127.0.0.1:${broker.mqttPort}`,
      token,
      serial: { path: mcu.devicePath, requestTimeoutMs: 300 },
      trustedKeys: [broker.fleet.signer],
      keepaliveS: KEEPALIVE_S,
      diagnosticsIntervalS: 60,
    });
    const agent = spawnAgent(h, configPath);

    const online = await waitFor(
      async () => {
        const device = await broker.fleet.devices.get('cm-presence');
        return device?.online && device.firmwareVersion ? device : undefined;
      },
      'online presence with the firmware version',
      30_000,
    );
    expect(online).toMatchObject({
      online: true,
      agentVersion: '0.1.0',
      firmwareVersion: '2.4.1',
      profileVersion: '1.0.0',
    });
    expect(online.connectionId).toBeTruthy();

    await agent.kill('SIGKILL');
    // MQTT lets a broker wait 1.5 x keepalive before it gives up on a silent client [MQTT-3.1.2-24].
    const offline = await waitFor(
      async () => {
        const device = await broker.fleet.devices.get('cm-presence');
        return device && !device.online ? device : undefined;
      },
      'offline after SIGKILL',
      KEEPALIVE_S * 1500,
    );
    expect(offline.online).toBe(false);
  });
});
