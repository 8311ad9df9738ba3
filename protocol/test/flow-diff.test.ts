import { describe, expect, it } from 'vitest';
import { diffContent } from '../src/flow/diff.js';

// Issue 18, "a readable diff": per flow file, per step, per field.
const flow = (steps: Record<string, unknown>, title = 'T') => ({ id: 'f', title: { en: title }, steps });

describe('diffContent', () => {
  it('names each changed field of each step with its old and new value, and leaves equal content out', () => {
    const before = {
      flows: {
        'a.json': flow({ s1: { kind: 'info', text: { en: 'old', de: 'alt' }, next: 's2' }, s2: { kind: 'rate' } }),
        'same.json': flow({ x: { kind: 'rate' } }),
        'gone.json': flow({ y: { kind: 'rate' } }),
      },
      images: { 'images/a.svg': 'AAAA', 'images/b.svg': 'BBBB' },
    };
    const after = {
      flows: {
        'a.json': flow(
          {
            s1: { kind: 'info', text: { en: 'new', de: 'alt' }, next: 's3' },
            s3: { kind: 'question', choices: [{ id: 'c', next: 's2' }] },
            s2: { kind: 'rate' },
          },
          'T2',
        ),
        'same.json': flow({ x: { kind: 'rate' } }),
      },
      images: { 'images/a.svg': 'AAAB', 'images/c.svg': 'CCCC' },
    };
    const d = diffContent(before, after);
    expect(d.flows.map((f) => [f.file, f.change])).toEqual([
      ['a.json', 'changed'],
      ['gone.json', 'removed'],
    ]);
    const a = d.flows[0]!;
    expect(a.fields).toEqual([{ path: 'title.en', before: 'T', after: 'T2' }]);
    expect(a.steps).toEqual([
      {
        stepId: 's1',
        change: 'changed',
        fields: [
          { path: 'text.en', before: 'old', after: 'new' },
          { path: 'next', before: 's2', after: 's3' },
        ],
      },
      {
        stepId: 's3',
        change: 'added',
        fields: [
          { path: 'kind', before: undefined, after: 'question' },
          { path: 'choices', before: undefined, after: [{ id: 'c', next: 's2' }] },
        ],
      },
    ]);
    expect(d.images).toEqual([
      { path: 'images/a.svg', change: 'changed' },
      { path: 'images/b.svg', change: 'removed' },
      { path: 'images/c.svg', change: 'added' },
    ]);
  });

  it('compares array items by position, down to their fields', () => {
    const q = (label: string) => ({
      flows: { 'q.json': flow({ q: { choices: [{ id: 'a' }, { id: 'b', label }] } }) },
      images: {},
    });
    expect(diffContent(q('x'), q('y')).flows[0]!.steps[0]!.fields).toEqual([
      { path: 'choices.1.label', before: 'x', after: 'y' },
    ]);
  });
});
