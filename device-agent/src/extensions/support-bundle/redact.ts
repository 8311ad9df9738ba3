/**
 * The redaction rules of support bundles (issue 17; docs/device-agent.md#support-bundles). A bundle holds
 * device data, never personal data (DESIGN.md §3.5): before the customer sees it, every text in it goes
 * through these rules, and each rule's count is shown to them and to staff. Pure functions, no I/O.
 */

/** Field names whose values are never included, whatever they hold (tokens, keys, passwords, cookies). */
const SECRET_FIELD = /token|secret|passw|passphrase|key|auth|cookie|credential|signature/i;

/** Text rules, in order: the more specific first (a MAC would otherwise look like an IPv6 address). */
const TEXT_RULES: readonly { rule: string; pattern: RegExp; keep?: RegExp }[] = [
  // `Bearer …` headers and `k=…`/`token=…` parameters in URLs (the kiosk URL carries its secret as `#k=`).
  { rule: 'secret', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]+=*/g },
  { rule: 'secret', pattern: /([?#&;](?:k|token|key|secret|password|sig)=)[^&#\s"']+/gi },
  { rule: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  { rule: 'mac', pattern: /\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b/g },
  { rule: 'ip', pattern: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g },
  {
    rule: 'ip',
    pattern: /\b(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4})?\b/g,
  },
  // Long runs of token characters: a credential or a key that reached a log line under an innocent name.
  // Message and command ids (UUIDs) are kept: support needs them to find the fleet's records.
  {
    rule: 'token',
    pattern: /\b[A-Za-z0-9_-]{32,}\b/g,
    keep: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  },
];

export const REDACTED = (rule: string): string => `[redacted:${rule}]`;

/** Counts per rule, filled by the functions below; the bundle lists it as `redactions`. */
export type RedactionCounts = Map<string, number>;

function bump(counts: RedactionCounts, rule: string, n = 1): void {
  counts.set(rule, (counts.get(rule) ?? 0) + n);
}

/** Replaces what the text rules match. */
export function redactText(text: string, counts: RedactionCounts): string {
  let out = text;
  for (const { rule, pattern, keep } of TEXT_RULES) {
    out = out.replace(pattern, (match: string, prefix?: unknown) => {
      if (keep?.test(match)) return match;
      bump(counts, rule);
      return `${typeof prefix === 'string' ? prefix : ''}${REDACTED(rule)}`;
    });
  }
  return out;
}

/** A log line's fields with every secret-named value replaced (nested objects too); other values kept. */
export function redactFields(value: unknown, counts: RedactionCounts, depth = 0): unknown {
  if (depth > 4) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redactFields(v, counts, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_FIELD.test(k) && v !== undefined && v !== null && v !== '') {
      bump(counts, 'secret');
      out[k] = REDACTED('secret');
    } else {
      out[k] = redactFields(v, counts, depth + 1);
    }
  }
  return out;
}

export function countsList(counts: RedactionCounts): { rule: string; count: number }[] {
  return [...counts.entries()].map(([rule, count]) => ({ rule, count })).sort((a, b) => a.rule.localeCompare(b.rule));
}
