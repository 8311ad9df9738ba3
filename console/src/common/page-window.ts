/** The server pages (by index) that cover rows first..last, with `margin` rows of read-ahead either side. */
export function pagesForRange(first: number, last: number, pageSize: number, total: number, margin = 0): number[] {
  if (total <= 0 || last < 0) return [];
  const from = Math.max(0, first - margin);
  const to = Math.min(total - 1, last + margin);
  const pages: number[] = [];
  for (let p = Math.floor(from / pageSize); p <= Math.floor(to / pageSize); p++) pages.push(p);
  return pages;
}
