import { describe, expect, it } from 'vitest';
import { jsonPathRange } from '../src/common/json-path-range.js';

// Issue 18: the studio marks a validator problem where its JSON path points in the editor's text.
const text = `{
  "id": "x",
  "steps": {
    "fill": { "next": "check", "choices": [{ "id": "a" }, { "id": "b" }] }
  }
}`;
const at = (path: string) => {
  const { from, to } = jsonPathRange(text, path);
  return text.slice(from, to);
};

describe('jsonPathRange', () => {
  it('finds the value at a path of keys and array indices', () => {
    expect(at('steps.fill.next')).toBe('"check"');
    expect(at('steps.fill.choices.1.id')).toBe('"b"');
    expect(at('id')).toBe('"x"');
  });

  it('marks the deepest part that exists for a missing field, and the whole text for the empty path', () => {
    expect(at('steps.fill.missing')).toBe('{ "next": "check", "choices": [{ "id": "a" }, { "id": "b" }] }');
    expect(at('')).toBe(text);
  });

  it('still finds what parses in text that does not (yet) parse as a whole', () => {
    const broken = '{ "id": "x", "steps": { "fill": { "next": "check", } ';
    const { from, to } = jsonPathRange(broken, 'steps.fill.next');
    expect(broken.slice(from, to)).toBe('"check"');
  });
});
