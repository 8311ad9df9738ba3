const pad = (n: number) => String(n).padStart(2, '0');

/** An absolute local time, ISO-like and unambiguous: "2025-03-07 14:05:09". */
export function formatTime(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
