/** "just now", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function formatRelative(at: number | null, now: number): string {
  if (at === null) return 'never';
  const s = Math.round((now - at) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}
