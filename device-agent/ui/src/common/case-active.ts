import type { HelpCaseState } from '@touchpoint/protocol';
import { caseStage } from './case-stage.js';

/**
 * A case support still works on (queued, sending, waiting or claimed). While there is one the
 * touchscreen shows it instead of offering "Contact support" again, also after a kiosk reload (issue 16).
 */
export function caseActive(supportCase: HelpCaseState | null | undefined): supportCase is HelpCaseState {
  return supportCase !== null && supportCase !== undefined && caseStage(supportCase) !== 'resolved';
}
