/**
 * The KPI formulas over help-session outcomes (issue 16; docs/console.md
 * "KPIs" states each one). Pure, so each formula is unit-tested with
 * hand-computed values; kpis.ts only counts rows.
 */

/** Help sessions started in a period, by their outcome (the five outcomes, plus still running). */
export interface OutcomeCounts {
  /** Resolved by an action of the flow (end step `resolution: "fix"`). */
  resolvedByFix: number;
  /** Resolved by the customer following the steps (`resolution: "customer"`). */
  resolvedByCustomer: number;
  /** Resolved before issue 16, when the device did not say how: counted as resolved, as then. */
  resolvedUnrecorded: number;
  /** Nothing was wrong (`resolution: "nothing-wrong"`): neither a resolution nor a failure. */
  nothingWrong: number;
  escalated: number;
  /** Left without an outcome (closed help, timed out). */
  abandoned: number;
  /** No outcome yet. */
  inProgress: number;
}

export interface OutcomeRates {
  /** (fix + customer + unrecorded) ÷ (ended − nothing wrong); null when no session needed help. */
  firstTouchResolution: number | null;
  /** escalated ÷ ended; null when none ended. */
  escalationRate: number | null;
  /** abandoned ÷ ended; null when none ended. */
  dropOffRate: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export function endedSessions(c: OutcomeCounts): number {
  return c.resolvedByFix + c.resolvedByCustomer + c.resolvedUnrecorded + c.nothingWrong + c.escalated + c.abandoned;
}

export function outcomeRates(c: OutcomeCounts): OutcomeRates {
  const ended = endedSessions(c);
  const resolved = c.resolvedByFix + c.resolvedByCustomer + c.resolvedUnrecorded;
  // A session where nothing was wrong solved no problem, so it is neither a first-touch resolution nor a miss.
  return {
    firstTouchResolution: ratio(resolved, ended - c.nothingWrong),
    escalationRate: ratio(c.escalated, ended),
    dropOffRate: ratio(c.abandoned, ended),
  };
}

/** Per flow step: the share of the sessions that reached it whose last step it was and that were abandoned. */
export function stepDropOff(reached: number, abandonedHere: number): { dropped: number; rate: number } {
  const dropped = Math.min(abandonedHere, reached);
  return { dropped, rate: reached === 0 ? 0 : dropped / reached };
}

/** The middle value (the mean of the two middle values for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
