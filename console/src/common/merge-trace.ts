import type { HelpTraceEntry } from '@touchpoint/protocol';

const key = (e: HelpTraceEntry) => JSON.stringify(e);

/**
 * Merges a fetched trace with entries that arrived live meanwhile: no
 * duplicates, in time order (stable for entries with the same time).
 */
export function mergeTrace(fetched: readonly HelpTraceEntry[], live: readonly HelpTraceEntry[]): HelpTraceEntry[] {
  const seen = new Set(fetched.map(key));
  const merged = [...fetched];
  for (const e of live) {
    const k = key(e);
    if (!seen.has(k)) {
      seen.add(k);
      merged.push(e);
    }
  }
  return merged
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
    .map((x) => x.e);
}
