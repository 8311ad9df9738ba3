import { describe, expect, it } from 'vitest';
import { actionSpec, withParamDefaults } from '../src/index.js';

const descale = actionSpec.parse({
  name: 'descale',
  label: { de: 'Entkalken', en: 'Descale' },
  params: {
    intensity: { type: 'enum', values: ['light', 'strong'], default: 'light', label: { de: 'Stufe', en: 'Level' } },
    rinses: { type: 'integer', min: 1, max: 5, default: 2, label: { de: 'Spülungen', en: 'Rinses' } },
    note: { type: 'string', required: false, label: { de: 'Notiz', en: 'Note' } },
  },
});

describe('withParamDefaults', () => {
  it('fills each missing param that has a default and keeps the given ones', () => {
    expect(withParamDefaults(descale, { rinses: 4 })).toEqual({ intensity: 'light', rinses: 4 });
  });

  it('leaves a param without a default out, and does not change the caller’s object', () => {
    const given = { note: 'x' };
    expect(withParamDefaults(descale, given)).toEqual({ intensity: 'light', rinses: 2, note: 'x' });
    expect(given).toEqual({ note: 'x' });
  });

  it('replaces an explicit undefined with the default (the MCU never gets an absent value)', () => {
    expect(withParamDefaults(descale, { intensity: undefined })).toEqual({ intensity: 'light', rinses: 2 });
  });
});
