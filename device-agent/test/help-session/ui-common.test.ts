import { describe, expect, it } from 'vitest';
import { caseStage } from '../../ui/src/common/case-stage.js';
import { cesScale } from '../../ui/src/common/ces-scale.js';
import { formatCallDuration } from '../../ui/src/common/format-call-duration.js';
import { formatMessage } from '../../ui/src/common/format-message.js';
import { formatPercent } from '../../ui/src/common/format-percent.js';
import { initialLocale } from '../../ui/src/common/initial-locale.js';
import { localizeText } from '../../ui/src/common/localize-text.js';
import { flowForError } from '../../ui/src/common/offer-for-error.js';
import { parseAgentMessage } from '../../ui/src/data/agent-messages.js';
import { de } from '../../ui/src/i18n/de.js';
import { en } from '../../ui/src/i18n/en.js';
import { translator } from '../../ui/src/i18n/translator.js';

describe('formatMessage', () => {
  const errors = { '=0': 'No active errors', one: '{count} active error', other: '{count} active errors' };
  it('picks the plural form with Intl.PluralRules and formats the count for the locale', () => {
    expect(formatMessage('en', errors, { count: 0 })).toBe('No active errors');
    expect(formatMessage('en', errors, { count: 1 })).toBe('1 active error');
    expect(formatMessage('en', errors, { count: 1200 })).toBe('1,200 active errors');
    expect(formatMessage('de', { one: '{count} Meldung', other: '{count} Meldungen' }, { count: 1200 })).toBe(
      '1.200 Meldungen',
    );
    expect(formatMessage('de', { one: '{count} Sekunde', other: '{count} Sekunden' }, { count: 1.5 })).toBe(
      '1,5 Sekunden',
    );
  });
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('en', '{code}: {label}', { code: 'E05', label: 'Descaling needed' })).toBe(
      'E05: Descaling needed',
    );
    expect(formatMessage('en', 'Hello {name}')).toBe('Hello {name}');
  });
  it('falls back to other when the count is missing', () => {
    expect(formatMessage('en', { one: 'one', other: 'many' })).toBe('many');
  });
});

describe('i18n catalogs', () => {
  it('German has every English key, with the same placeholders', () => {
    const placeholders = (v: unknown) => [...JSON.stringify(v).matchAll(/\{([a-z]+)\}/gi)].map((m) => m[1]).sort();
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[])
      expect([key, placeholders(de[key])]).toEqual([key, placeholders(en[key])]);
  });
  it('translates at runtime per locale', () => {
    expect(translator('en')('takesAbout', { count: 1 })).toBe('Takes about 1 second.');
    expect(translator('de')('takesAbout', { count: 8 })).toBe('Dauert etwa 8 Sekunden.');
  });
});

describe('formatPercent', () => {
  it('writes percentages the way the locale does, clamped to 0-100', () => {
    expect(formatPercent('en', 42)).toBe('42%');
    expect(formatPercent('de', 42)).toBe('42\u00a0%');
    expect(formatPercent('en', 140)).toBe('100%');
    expect(formatPercent('en', Number.NaN)).toBe('0%');
  });
});

describe('formatCallDuration', () => {
  it('says seconds under a minute, else whole minutes, in the locale', () => {
    expect(formatCallDuration('en', 45)).toBe('45 seconds');
    expect(formatCallDuration('de', 45)).toBe('45 Sekunden');
    expect(formatCallDuration('en', 89)).toBe('1 minute');
    expect(formatCallDuration('de', 240)).toBe('4 Minuten');
    expect(formatCallDuration('en', -3)).toBe('0 seconds');
  });
});

describe('caseStage', () => {
  it('orders delivery before the fleet status', () => {
    expect(caseStage({ delivery: 'queued', status: null })).toBe('queued');
    expect(caseStage({ delivery: 'sending', status: null })).toBe('sending');
    expect(caseStage({ delivery: 'sent', status: null })).toBe('waiting');
    expect(caseStage({ delivery: 'sent', status: 'open' })).toBe('waiting');
    expect(caseStage({ delivery: 'sent', status: 'claimed' })).toBe('claimed');
    expect(caseStage({ delivery: 'sent', status: 'resolved' })).toBe('resolved');
    expect(caseStage({ delivery: 'sent', status: 'closed' })).toBe('resolved');
  });
});

describe('small helpers', () => {
  it('initialLocale prefers the saved choice, then the browser, then English', () => {
    expect(initialLocale('de', ['en-US'])).toBe('de');
    expect(initialLocale('fr', ['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(initialLocale(null, ['fr-FR'])).toBe('en');
  });
  it('localizeText falls back to the base language, then English, then anything', () => {
    expect(localizeText({ de: 'Hallo', en: 'Hello' }, 'de-CH')).toBe('Hallo');
    expect(localizeText({ de: 'Hallo', en: 'Hello' }, 'fr')).toBe('Hello');
    expect(localizeText({ fr: 'Bonjour' }, 'de')).toBe('Bonjour');
  });
  it('cesScale is 1..7 by default', () => {
    expect(cesScale()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(cesScale(7, 1)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
  it('flowForError finds the first flow that handles a code', () => {
    const flows = [
      { id: 'a', version: '1.0.0', title: { de: 'a', en: 'a' }, errors: ['E01'], menu: true },
      { id: 'b', version: '1.0.0', title: { de: 'b', en: 'b' }, errors: ['E05', 'E01'], menu: false },
    ];
    expect(flowForError(flows, 'E05')?.id).toBe('b');
    expect(flowForError(flows, 'E01')?.id).toBe('a');
    expect(flowForError(flows, 'E99')).toBeUndefined();
  });
});

describe('parseAgentMessage', () => {
  const state = { broker: 'online', link: 'up', sensors: {}, errors: [], updatedAt: 1 };
  it('accepts the messages the UI uses', () => {
    expect(parseAgentMessage(JSON.stringify({ type: 'state', state }))?.type).toBe('state');
    expect(
      parseAgentMessage(JSON.stringify({ type: 'reply', replyTo: 'r1', ok: false, code: 'CONFLICT', message: 'busy' })),
    ).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(parseAgentMessage(JSON.stringify({ type: 'help.screen', screen: null }))).toEqual({
      type: 'help.screen',
      screen: null,
    });
    expect(
      parseAgentMessage(
        JSON.stringify({ type: 'help.case', case: { caseId: 'c', delivery: 'queued', status: null, openedAt: 1 } }),
      )?.type,
    ).toBe('help.case');
  });
  it('refuses malformed or mistyped ones instead of half-rendering them', () => {
    expect(parseAgentMessage('not json')).toBeUndefined();
    expect(parseAgentMessage('[]')).toBeUndefined();
    expect(parseAgentMessage(JSON.stringify({ type: 'state', state: { ...state, errors: [5] } }))).toBeUndefined();
    expect(
      parseAgentMessage(
        JSON.stringify({
          type: 'help.screen',
          screen: {
            kind: 'question',
            sessionId: 's',
            title: 't',
            flow: {},
            busy: false,
            canGoBack: false,
            progress: 0,
            text: 'q',
            choices: [{ id: 1 }],
          },
        }),
      ),
    ).toBeUndefined();
    expect(parseAgentMessage(JSON.stringify({ type: 'help.screen', screen: { kind: 'nope' } }))).toBeUndefined();
    expect(parseAgentMessage(JSON.stringify({ type: 'reply', replyTo: 'r', ok: false }))).toBeUndefined();
  });
  it("passes other extensions' messages through untouched", () => {
    const text = JSON.stringify({ type: 'video.offer', sessionId: 'v1' });
    expect(parseAgentMessage(text)).toEqual({ type: 'other', original: text });
  });
});
