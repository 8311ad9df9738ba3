import { describe, expect, it } from 'vitest';
import type { HelpTraceEntry } from '@touchpoint/protocol';
import { mergeTrace } from '../src/common/merge-trace.js';

const step = (at: number, stepId: string): HelpTraceEntry => ({ kind: 'step', at, stepId, stepType: 'info' });

describe('mergeTrace', () => {
  it('adds live entries the fetch missed, drops duplicates, keeps time order', () => {
    const fetched = [step(1, 'a'), step(2, 'b')];
    const live = [step(2, 'b'), step(3, 'c'), step(1.5, 'x')];
    expect(mergeTrace(fetched, live).map((e) => (e.kind === 'step' ? e.stepId : e.kind))).toEqual(['a', 'x', 'b', 'c']);
  });
  it('keeps arrival order for entries at the same millisecond', () => {
    const choice: HelpTraceEntry = { kind: 'choice', at: 5, stepId: 'a', choiceId: 'yes', msOnStep: 1 };
    expect(mergeTrace([choice], [step(5, 'b')]).map((e) => e.kind)).toEqual(['choice', 'step']);
  });
});
