import type { DeviceQuery } from '@touchpoint/protocol';

/**
 * Which devices a rollout's cohort or a fleet-wide fix takes (issue 18: "every coffee machine with E05 and
 * firmware 2.4"). Pure: the services read the candidates' rows and keep those that match, and check the
 * match again per device just before they send it anything (a device fixed meanwhile is skipped).
 */
export { deviceQuery, type DeviceQuery } from '@touchpoint/protocol';

/** The parts of a device row a query looks at. */
export interface QueriedDevice {
  id: string;
  model: string;
  tags: readonly string[];
  errors: readonly string[];
  firmwareVersion: string | null;
}

export function firmwareMatches(version: string | null, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  if (version === null) return false;
  return wanted.some((w) => version === w || version.startsWith(`${w}.`));
}

/** Why the device does not match, or null when it does (the reason goes into a fix's report). */
export function mismatch(device: QueriedDevice, query: DeviceQuery): string | null {
  if (device.model !== query.model) return `model is ${device.model}, not ${query.model}`;
  const missing = query.tags.filter((t) => !device.tags.includes(t));
  if (missing.length > 0) return `no tag ${missing.join(', ')}`;
  if (!firmwareMatches(device.firmwareVersion, query.firmware))
    return `firmware ${device.firmwareVersion ?? 'unknown'} is not ${query.firmware.join(' or ')}`;
  if (query.errorCode !== undefined && !device.errors.includes(query.errorCode))
    return `error ${query.errorCode} is no longer raised`;
  return null;
}
