/**
 * The Customer Effort Score as the touchscreen asks it (CES 2.0, issue 16):
 * 1 = very difficult … 7 = very easy, so higher is better everywhere the
 * console shows a rating or an average.
 */
const LABELS = [
  'very difficult',
  'difficult',
  'somewhat difficult',
  'neither easy nor difficult',
  'somewhat easy',
  'fairly easy',
  'very easy',
] as const;

/** "fairly easy" for a 6; the nearest label for an average. */
export function cesLabel(score: number): string {
  const i = Math.min(LABELS.length, Math.max(1, Math.round(score))) - 1;
  return LABELS[i]!;
}

export type CesTone = 'good' | 'neutral' | 'warn';

/** 5 and above (somewhat easy or better) is good; below the scale's midpoint of 4 customers found it hard. */
export function cesTone(score: number): CesTone {
  if (score >= 5) return 'good';
  if (score < 4) return 'warn';
  return 'neutral';
}
