import type { SimulatorBackend } from '@touchpoint/broker';
import {
  ErrorCode,
  TouchpointError,
  type DeviceProfile,
  type SimulatorControlParsed,
  type SimulatorState,
} from '@touchpoint/protocol';
import type { SimulatedDevice } from './simulated-device.js';

interface Entry {
  device: SimulatedDevice;
  profile: DeviceProfile;
  network: 'online' | 'offline';
  serialUnpluggedUntil?: number;
}

/**
 * The presenter's controls over the demo's simulated devices (issue 16): what the console's Simulator
 * panel and `touchpoint demo sim` do. Raise, clear and scenarios act on the virtual MCU exactly as the
 * `mcu-sim` control lines do; `unplug-serial` pulls the virtual cable; `offline`/`online` stop and start
 * the agent's MQTT connection while its touchscreen keeps running. Who may call it (a staff role, the
 * socket's owner) and the audit are the caller's job.
 */
export class DemoSimulator implements SimulatorBackend {
  private readonly devices = new Map<string, Entry>();

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  add(device: SimulatedDevice): void {
    this.devices.set(device.deviceId, { device, profile: device.agent.services.profile, network: 'online' });
  }

  state(deviceId: string): SimulatorState | undefined {
    const entry = this.devices.get(deviceId);
    if (!entry) return undefined;
    const { device, profile } = entry;
    const unplugged = entry.serialUnpluggedUntil !== undefined && entry.serialUnpluggedUntil > Date.now();
    return {
      deviceId,
      model: device.model,
      errors: [...device.mcu.mcu.errors].sort(),
      codes: profile.errors.map((e) => ({ code: e.code, severity: e.severity, label: e.label.en })),
      scenarios: device.mcu.mcu.scenarioNames(),
      network: entry.network,
      ...(unplugged ? { serialUnpluggedUntil: entry.serialUnpluggedUntil } : {}),
    };
  }

  async control(deviceId: string, control: SimulatorControlParsed): Promise<SimulatorState> {
    const entry = this.devices.get(deviceId);
    if (!entry) throw new TouchpointError(ErrorCode.NOT_FOUND, `device ${deviceId} is not a simulated device`);
    const { device, profile } = entry;
    const mcu = device.mcu.mcu;
    switch (control.control) {
      case 'raise':
      case 'clear':
        if (!profile.errors.some((e) => e.code === control.code))
          throw new TouchpointError(
            ErrorCode.BAD_PARAMS,
            `${device.model} has no error ${control.code} (it has ${profile.errors.map((e) => e.code).join(', ')})`,
          );
        if (control.control === 'raise') mcu.raise(control.code);
        else mcu.clear(control.code);
        break;
      case 'scenario':
        if (!mcu.scenarioNames().includes(control.name))
          throw new TouchpointError(
            ErrorCode.BAD_PARAMS,
            `${device.model} has no scenario ${control.name} (it has ${mcu.scenarioNames().join(', ')})`,
          );
        mcu.scenario(control.name);
        break;
      case 'unplug-serial': {
        if (entry.serialUnpluggedUntil !== undefined && entry.serialUnpluggedUntil > Date.now())
          throw new TouchpointError(ErrorCode.CONFLICT, `the serial link of ${deviceId} is already unplugged`);
        const ms = control.seconds * 1000;
        entry.serialUnpluggedUntil = Date.now() + ms;
        // Resolves once it is plugged back in; the caller gets the state at once.
        device.mcu.unplug(ms).then(
          () => {
            entry.serialUnpluggedUntil = undefined;
          },
          (err: unknown) => {
            entry.serialUnpluggedUntil = undefined;
            this.log(`${deviceId}: plugging the serial link back in failed: ${(err as Error).message}`);
          },
        );
        break;
      }
      case 'offline':
        await device.agent.services.connection.stop();
        entry.network = 'offline';
        break;
      case 'online':
        device.agent.services.connection.start();
        entry.network = 'online';
        break;
    }
    this.log(
      `simulator: ${deviceId} ${control.control}${'code' in control ? ` ${control.code}` : ''}${'name' in control ? ` ${control.name}` : ''}`,
    );
    return this.state(deviceId)!;
  }
}
