import type { SupportReceipt } from '@touchpoint/protocol';
import type { AgentClient } from './agent-client.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A receipt the screen can show: the fields it reads, checked structurally (see agent-messages.ts for why not zod). */
function isReceipt(v: unknown): v is SupportReceipt {
  return (
    isObj(v) &&
    typeof v.id === 'string' &&
    typeof v.at === 'number' &&
    (v.kind === 'fix' || v.kind === 'case') &&
    typeof v.outcome === 'string' &&
    Array.isArray(v.shared) &&
    isObj(v.by)
  );
}

/** The customer's support history from the agent, newest first; an entry the screen cannot read is left out. */
export async function fetchSupportHistory(client: AgentClient): Promise<SupportReceipt[]> {
  const data = await client.request<{ receipts?: unknown }>('support.history');
  return Array.isArray(data?.receipts) ? data.receipts.filter(isReceipt) : [];
}
