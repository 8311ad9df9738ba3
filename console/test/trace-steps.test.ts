import { describe, expect, it } from 'vitest';
import type { HelpTraceEntry } from '@touchpoint/protocol';
import { traceSteps } from '../src/common/trace-steps.js';

const start: HelpTraceEntry = {
  kind: 'start',
  at: 1000,
  flowId: 'descale',
  flowVersion: '1.0.0',
  trigger: 'menu',
  locale: 'en',
};

describe('traceSteps', () => {
  it('gives each screen its time, and the current one runs until now', () => {
    const trace: HelpTraceEntry[] = [
      start,
      { kind: 'step', at: 1000, stepId: 'intro', stepType: 'info' },
      { kind: 'step', at: 4000, stepId: 'ask', stepType: 'question' },
      { kind: 'choice', at: 9000, stepId: 'ask', choiceId: 'yes', msOnStep: 5000 },
      { kind: 'step', at: 9000, stepId: 'fix', stepType: 'action' },
    ];
    const s = traceSteps(trace, 12_000);
    expect(s.startedAt).toBe(1000);
    expect(s.steps.map((x) => [x.stepId, x.ms, x.current])).toEqual([
      ['intro', 3000, false],
      ['ask', 5000, false],
      ['fix', 3000, true],
    ]);
    expect(s.steps[1]!.events.map((e) => e.kind)).toEqual(['choice']);
    expect(s.outcome).toBeNull();
  });

  it('stops the clock at the outcome and keeps the rating', () => {
    const trace: HelpTraceEntry[] = [
      start,
      { kind: 'step', at: 1000, stepId: 'intro', stepType: 'info' },
      { kind: 'outcome', at: 2500, outcome: 'resolved', msTotal: 1500 },
      { kind: 'rating', at: 3000, ces: 2, helped: true },
    ];
    const s = traceSteps(trace, 99_000);
    expect(s.steps[0]).toMatchObject({ ms: 1500, current: false });
    expect(s.outcome?.outcome).toBe('resolved');
    expect(s.rating?.ces).toBe(2);
  });

  it('handles an empty trace', () => {
    expect(traceSteps([], 0)).toEqual({ steps: [], startedAt: null, outcome: null, rating: null });
  });
});
