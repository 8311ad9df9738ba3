import { simulatorState, type SimulatorControl, type SimulatorState } from '@touchpoint/protocol';
import { ApiError, api } from './api.js';

const path = (deviceId: string): string => `/api/devices/${encodeURIComponent(deviceId)}/simulator`;

/** The demo simulator's state of a device; undefined when the device is not simulated (404, issue 16). */
export async function fetchSimulator(deviceId: string): Promise<SimulatorState | undefined> {
  try {
    return await api('GET', path(deviceId), simulatorState);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** One presenter control (raise, clear, scenario, unplug-serial, offline, online); answers the new state. */
export const sendSimulatorControl = (deviceId: string, control: SimulatorControl): Promise<SimulatorState> =>
  api('POST', path(deviceId), simulatorState, { body: control });
