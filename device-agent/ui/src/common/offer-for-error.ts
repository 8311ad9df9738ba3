import type { HelpFlowSummary } from '@touchpoint/protocol';

/** The first flow that handles an error code, if any (for the "show me how" button next to an active error). */
export function flowForError(flows: readonly HelpFlowSummary[], code: string): HelpFlowSummary | undefined {
  return flows.find((f) => f.errors.includes(code));
}
