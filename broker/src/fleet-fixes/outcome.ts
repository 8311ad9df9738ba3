import { ErrorCode, type CommandStatus } from '@touchpoint/protocol';

/**
 * What one device's command outcome means for a fleet-wide fix (issue 18), pure:
 * - `succeeded`: the action ran and verified;
 * - `failed`: the action failed, or the device refused the command for a reason that is a fault
 *   (bad signature, unknown action...): these count towards the stop-on-failure rate;
 * - `skipped`: the device's own precondition did not hold (or the customer declined): the action was
 *   not for this device now, which is neither a success nor a failure of the fix;
 * - `unreached`: the command expired before the device took it (offline for the whole TTL).
 * `undefined`: not an outcome yet (queued, delivered, accepted).
 */
export type FixDeviceStatus = 'pending' | 'sent' | 'succeeded' | 'failed' | 'skipped' | 'unreached' | 'not-sent';

const NOT_FOR_NOW: ReadonlySet<string> = new Set([
  ErrorCode.PRECONDITION_FAILED,
  ErrorCode.CUSTOMER_DECLINED,
  ErrorCode.CUSTOMER_NO_ANSWER,
]);

export function fixOutcome(status: CommandStatus, code?: string): FixDeviceStatus | undefined {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'rejected':
      return code !== undefined && NOT_FOR_NOW.has(code) ? 'skipped' : 'failed';
    case 'expired':
      return 'unreached';
    case 'queued':
    case 'delivered':
    case 'accepted':
      return undefined;
  }
}

export interface FailureTally {
  succeeded: number;
  failed: number;
  /** Sent and not settled yet. */
  outstanding: number;
}

/**
 * Whether the fix must stop: the failure rate over the settled results (failed ÷ (succeeded + failed))
 * is above `maxRate` once the wave has settled, or already cannot end at or below it even if every
 * outstanding command succeeds (stop early, before more devices fail).
 */
export function shouldStop(t: FailureTally, maxRate: number): boolean {
  const settled = t.succeeded + t.failed;
  if (t.outstanding === 0) return settled > 0 && t.failed / settled > maxRate;
  return t.failed / (settled + t.outstanding) > maxRate;
}
