export type Severity = 'info' | 'warning' | 'critical';

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Most severe first (critical, warning, info), so the banner that matters most is on top (issue 16).
 * An item whose severity is unknown (an error code the profile does not name) ranks as a warning;
 * items of the same severity keep their order.
 */
export function bySeverity<T>(items: readonly T[], severityOf: (item: T) => Severity | undefined): T[] {
  return items
    .map((item, index) => ({ item, index, rank: RANK[severityOf(item) ?? 'warning'] }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.item);
}
