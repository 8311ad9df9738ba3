export type KpiPeriod = '24h' | '7d' | '30d' | '90d';

const DAY = 24 * 60 * 60 * 1000;
const LENGTH: Record<KpiPeriod, number> = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY };

/** The [from, to) window for a period ending now. */
export function periodRange(period: KpiPeriod, now: number): { from: number; to: number } {
  return { from: now - LENGTH[period], to: now };
}

/** A custom range from two date inputs (yyyy-mm-dd, local time); `to` includes its whole day. */
export function customRange(fromDate: string, toDate: string): { from: number; to: number } | undefined {
  const from = new Date(`${fromDate}T00:00:00`).getTime();
  const to = new Date(`${toDate}T00:00:00`).getTime() + DAY;
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : undefined;
}
