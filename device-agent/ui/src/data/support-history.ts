import type { SupportReceipt } from '@touchpoint/protocol';
import type { AgentClient } from './agent-client.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// What the screen has words for; a newer agent's other values are left out rather than shown wrong.
const OUTCOMES: ReadonlySet<unknown> = new Set<SupportReceipt['outcome']>([
  'succeeded',
  'failed',
  'declined',
  'no-answer',
  'opened',
  'claimed',
  'resolved',
  'closed',
  'ended',
]);
const SHARED: ReadonlySet<unknown> = new Set<SupportReceipt['shared'][number]>([
  'diagnostics',
  'help-session',
  'camera',
  'microphone',
]);

/** A receipt the screen can show: the fields it reads, checked structurally (see agent-messages.ts for why not zod). */
function isReceipt(v: unknown): v is SupportReceipt {
  return (
    isObj(v) &&
    typeof v.id === 'string' &&
    typeof v.at === 'number' &&
    (v.kind === 'fix' || v.kind === 'case' || v.kind === 'call') &&
    OUTCOMES.has(v.outcome) &&
    Array.isArray(v.shared) &&
    v.shared.every((item) => SHARED.has(item)) &&
    isObj(v.by) &&
    (v.durationS === undefined || typeof v.durationS === 'number') &&
    (v.diagnostics === undefined ||
      (isObj(v.diagnostics) && Array.isArray(v.diagnostics.errors) && Array.isArray(v.diagnostics.readings)))
  );
}

/** The customer's support history from the agent, newest first; an entry the screen cannot read is left out. */
export async function fetchSupportHistory(client: AgentClient): Promise<SupportReceipt[]> {
  const data = await client.request<{ receipts?: unknown }>('support.history');
  return Array.isArray(data?.receipts) ? data.receipts.filter(isReceipt) : [];
}
