import type { HelpCaseState } from '@touchpoint/protocol';

/**
 * The stage the customer sees for a support case, in order:
 * queued (offline, will be sent when online) -> sending -> waiting (support
 * has it) -> claimed (an agent is looking at the device) -> resolved.
 */
export type CaseStage = 'queued' | 'sending' | 'waiting' | 'claimed' | 'resolved';

export const CASE_STAGES: readonly CaseStage[] = ['sending', 'waiting', 'claimed', 'resolved'];

export function caseStage(state: Pick<HelpCaseState, 'delivery' | 'status'>): CaseStage {
  switch (state.status) {
    case 'resolved':
    case 'closed':
      return 'resolved';
    case 'claimed':
      return 'claimed';
    case 'open':
      return 'waiting';
    case null:
      break;
  }
  switch (state.delivery) {
    case 'queued':
      return 'queued';
    case 'sending':
      return 'sending';
    case 'sent':
      return 'waiting';
  }
}
