import { describe, expect, it } from 'vitest';
import { actionSpec } from '@touchpoint/protocol';
import { buildParams, defaultFieldValues } from '../src/common/param-form.js';

const action = actionSpec.parse({
  name: 'configure',
  label: { de: 'Einstellen', en: 'Configure' },
  params: {
    size: { type: 'integer', min: 1, max: 10, label: { de: 'G', en: 'Size' } },
    mode: { type: 'enum', values: ['normal', 'strong'], default: 'normal', label: { de: 'M', en: 'Mode' } },
    loud: { type: 'boolean', required: false, label: { de: 'L', en: 'Loud' } },
    note: { type: 'string', maxLength: 5, required: false, label: { de: 'N', en: 'Note' } },
  },
});

describe('param forms', () => {
  it('starts from the defaults', () => {
    expect(defaultFieldValues(action)).toEqual({ size: '', mode: 'normal', loud: false, note: '' });
  });

  it('coerces field text into typed params that pass the action schema', () => {
    expect(buildParams(action, { size: ' 4 ', mode: 'strong', loud: true, note: '' })).toEqual({
      ok: true,
      params: { size: 4, mode: 'strong', loud: true },
    });
  });

  it('reports each bad field by name, as the server would', () => {
    const r = buildParams(action, { size: '11', mode: 'weird', loud: false, note: 'toolong' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['mode', 'note', 'size']);
    expect(buildParams(action, { size: '', mode: 'normal', loud: false, note: '' })).toEqual({
      ok: false,
      errors: { size: 'Required' },
    });
    const fraction = buildParams(action, { size: '2.5', mode: 'normal', loud: false, note: '' });
    expect(fraction.ok).toBe(false);
  });
});
