import type { DeviceHealth, DeviceProfile } from '@touchpoint/protocol';

const RANK: Record<DeviceHealth, number> = { unknown: 0, ok: 1, info: 2, warning: 3, critical: 4 };

/**
 * A device's health badge: its worst active error by the profile's severity
 * (an unknown code counts as a warning), and a serial link that is down
 * (critical: the agent cannot reach the MCU) or reopening (warning).
 * `unknown` until the device has reported anything.
 */
export function deviceHealthOf(
  errors: readonly string[],
  link: string | null,
  profile: DeviceProfile | undefined,
  reported: boolean,
): DeviceHealth {
  if (!reported && errors.length === 0 && link === null) return 'unknown';
  let worst: DeviceHealth = 'ok';
  const raise = (h: DeviceHealth) => {
    if (RANK[h] > RANK[worst]) worst = h;
  };
  for (const code of errors) raise(profile?.errors.find((e) => e.code === code)?.severity ?? 'warning');
  if (link === 'down') raise('critical');
  else if (link === 'reopening') raise('warning');
  return worst;
}
