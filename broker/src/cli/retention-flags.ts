import { numberOption } from '@touchpoint/runtime';
import type { RetentionSettings } from '../options.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `touchpoint broker` flags for retention, each with its environment variable. */
export const RETENTION_FLAGS = {
  'diagnostics-retention-days': { table: 'diagnostics', env: 'TP_DIAGNOSTICS_RETENTION_DAYS' },
  'events-retention-days': { table: 'events', env: 'TP_EVENTS_RETENTION_DAYS' },
  'presence-retention-days': { table: 'presence', env: 'TP_PRESENCE_RETENTION_DAYS' },
} as const;

export const RETENTION_USAGE = `  --diagnostics-retention-days N, --events-retention-days N, --presence-retention-days N
                  days of device history kept (default 30, 90, 90; 0 keeps it for ever;
                  $TP_DIAGNOSTICS_RETENTION_DAYS, $TP_EVENTS_RETENTION_DAYS, $TP_PRESENCE_RETENTION_DAYS)`;

/** Retention from the flags (or their environment variables); a value that is not a number of days is a usage error. */
export function retentionFromFlags(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): RetentionSettings {
  const settings: RetentionSettings = {};
  for (const [flag, { table, env: name }] of Object.entries(RETENTION_FLAGS)) {
    const raw = typeof values[flag] === 'string' ? values[flag] : env[name];
    if (raw === undefined || raw === '') continue;
    const days = numberOption(raw, `--${flag}`, { min: 0, what: 'a number of days (0 keeps it for ever)' });
    settings[table] = { maxAgeMs: Math.round(days * DAY_MS) };
  }
  return settings;
}
