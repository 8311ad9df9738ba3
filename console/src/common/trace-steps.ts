import type { HelpTraceEntry } from '@touchpoint/protocol';

export interface TraceStep {
  stepId: string;
  stepType: string;
  enteredAt: number;
  /** Time on the step: until the next step, the outcome, or now for the current one. */
  ms: number;
  /** Choices, checks and actions that happened on this step, in order. */
  events: HelpTraceEntry[];
  current: boolean;
}

export interface TraceSummary {
  steps: TraceStep[];
  startedAt: number | null;
  outcome: Extract<HelpTraceEntry, { kind: 'outcome' }> | null;
  rating: Extract<HelpTraceEntry, { kind: 'rating' }> | null;
}

/** Turns a help-session trace into the screens the customer saw, with the time spent on each. */
export function traceSteps(trace: readonly HelpTraceEntry[], now: number): TraceSummary {
  const steps: TraceStep[] = [];
  let startedAt: number | null = null;
  let outcome: TraceSummary['outcome'] = null;
  let rating: TraceSummary['rating'] = null;
  for (const entry of trace) {
    const last = steps.at(-1);
    switch (entry.kind) {
      case 'start':
        startedAt = entry.at;
        break;
      case 'step':
        if (last) last.ms = entry.at - last.enteredAt;
        steps.push({
          stepId: entry.stepId,
          stepType: entry.stepType,
          enteredAt: entry.at,
          ms: 0,
          events: [],
          current: false,
        });
        break;
      case 'outcome':
        outcome = entry;
        if (last) last.ms = entry.at - last.enteredAt;
        break;
      case 'rating':
        rating = entry;
        break;
      case 'choice':
      case 'back':
      case 'check':
      case 'action':
        last?.events.push(entry);
        break;
    }
  }
  const last = steps.at(-1);
  if (last && !outcome) {
    last.current = true;
    last.ms = Math.max(0, now - last.enteredAt);
  }
  return { steps, startedAt, outcome, rating };
}
