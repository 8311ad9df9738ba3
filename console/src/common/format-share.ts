/** A ratio as a percentage ("62.5 %"); an em dash when there is nothing to divide. */
export function formatShare(value: number | null): string {
  if (value === null) return '—';
  const pct = value * 100;
  return `${Number.isInteger(pct) ? pct : pct.toFixed(1)} %`;
}
