import type { CommandStatus } from '@touchpoint/protocol';
import type { MessageKey } from '../i18n/translator.js';

export type StageState = 'done' | 'current' | 'pending' | 'failed' | 'skipped';

export interface Stage {
  /** The stage's name in the console catalogue. */
  label: MessageKey;
  state: StageState;
}

const RANK: Record<CommandStatus, number> = {
  queued: 0,
  delivered: 1,
  accepted: 2,
  succeeded: 3,
  failed: 3,
  rejected: 2,
  expired: 1,
};

/**
 * The progress of a command as four stages: queued, delivered, accepted, and
 * its outcome. A device may answer before its PUBACK arrives, so a later state
 * marks every earlier stage done.
 */
export function commandStages(status: CommandStatus): Stage[] {
  const rank = RANK[status];
  const at = (i: number): StageState => (rank > i ? 'done' : rank === i ? 'current' : 'pending');
  const stages: Stage[] = [
    { label: 'command.queued', state: at(0) },
    { label: 'command.delivered', state: at(1) },
    { label: 'command.accepted', state: at(2) },
    { label: 'command.outcome', state: 'pending' },
  ];
  switch (status) {
    case 'succeeded':
      stages[3] = { label: 'command.succeeded', state: 'done' };
      stages[2]!.state = 'done';
      break;
    case 'failed':
      stages[3] = { label: 'command.failed', state: 'failed' };
      stages[2]!.state = 'done';
      break;
    case 'rejected':
      stages[2] = { label: 'command.rejected', state: 'failed' };
      stages[3] = { label: 'command.outcome', state: 'skipped' };
      break;
    case 'expired':
      stages[1] = { label: 'command.expired', state: 'failed' };
      stages[2]!.state = 'skipped';
      stages[3] = { label: 'command.outcome', state: 'skipped' };
      break;
    case 'queued':
    case 'delivered':
    case 'accepted':
      break;
  }
  return stages;
}

export function isTerminal(status: CommandStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'rejected' || status === 'expired';
}
