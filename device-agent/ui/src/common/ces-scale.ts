/** The Customer Effort Score scale, 1 (very difficult) to 7 (very easy). */
export function cesScale(min = 1, max = 7): number[] {
  const from = Math.ceil(Math.min(min, max));
  const to = Math.floor(Math.max(min, max));
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
