import type { CaseStatus } from '@touchpoint/protocol';
import type { BadgeTone } from '../components/tpc-badge.js';

/** A case status as a badge colour: waiting is a warning, worked is info, done is ok or muted. */
export const CASE_STATUS_TONE: Record<CaseStatus, BadgeTone> = {
  open: 'warning',
  claimed: 'info',
  resolved: 'ok',
  closed: 'muted',
};
