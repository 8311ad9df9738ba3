import { createBridge } from '@touchpoint/firmware-bridge';
import type { DeviceProfile } from '@touchpoint/protocol';
import type { AgentConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { McuBridge } from './mcu-bridge.js';

/** The firmware bridge over the configured serial port; it reopens the port by itself after an unplug. */
export function createDefaultBridge(config: AgentConfig, profile: DeviceProfile, logger: Logger): McuBridge {
  return createBridge({
    path: config.serial.path,
    baudRate: config.serial.baudRate,
    profile,
    ...(config.serial.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.serial.requestTimeoutMs } : {}),
    ...(config.serial.retries !== undefined ? { retries: config.serial.retries } : {}),
    logger,
  });
}
