import type { BundleContent, HostMetrics, LinkState } from '@touchpoint/protocol';
import type { BundleHistory } from './history.js';
import type { LogRing } from './log-ring.js';
import { countsList, REDACTED, redactFields, redactText, type RedactionCounts } from './redact.js';

/** What a bundle is built from; each source is the agent's own (agent.ts wires them). */
export interface BundleSources {
  log: LogRing;
  history: BundleHistory;
  mcu: { link: LinkState; activeErrors: readonly string[] };
  outbox: { depth: number; dropped: number; oldestQueuedAt: number | undefined };
  host: () => Promise<HostMetrics>;
}

const MAX_LINE = 1_024;

/**
 * Builds the bundle for `from`..`to` with every redaction rule applied (redact.ts): this object is what the
 * customer is shown and, after their Send, exactly what is sent.
 */
export async function collectBundle(
  sources: BundleSources,
  range: { from: number; to: number },
  now: number,
): Promise<BundleContent> {
  const counts: RedactionCounts = new Map();
  const agentLog = sources.log.between(range.from, range.to).map((l) => {
    const fields =
      l.fields && Object.keys(l.fields).length > 0 ? ` ${JSON.stringify(redactFields(l.fields, counts))}` : '';
    return { at: l.at, level: l.level, line: redactText(`${l.message}${fields}`, counts).slice(0, MAX_LINE) };
  });
  const host = await sources.host();
  // Network addresses identify the customer's network: the interface names stay, the addresses go.
  const net = host.net.map((n) => {
    counts.set('ip', (counts.get('ip') ?? 0) + 1);
    return { ...n, address: REDACTED('ip') };
  });
  const { oldestQueuedAt } = sources.outbox;
  return {
    from: range.from,
    to: range.to,
    agentLog,
    mcu: {
      link: sources.mcu.link,
      activeErrors: [...sources.mcu.activeErrors].slice(0, 64),
      events: sources.history.mcuBetween(range.from, range.to),
    },
    outbox: {
      depth: sources.outbox.depth,
      dropped: sources.outbox.dropped,
      oldestAgeMs: oldestQueuedAt === undefined ? null : Math.max(0, Math.round(now - oldestQueuedAt)),
    },
    helpSessions: sources.history.sessionsBetween(range.from, range.to),
    host: { ...host, net },
    redactions: countsList(counts),
  };
}
