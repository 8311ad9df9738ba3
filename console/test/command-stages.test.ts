import { describe, expect, it } from 'vitest';
import { commandStages, isTerminal } from '../src/common/command-stages.js';
import { translator } from '../src/i18n/translator.js';

const en = translator('en');

const states = (s: Parameters<typeof commandStages>[0]) => commandStages(s).map((x) => `${en(x.label)}:${x.state}`);

describe('commandStages', () => {
  it('walks queued -> delivered -> accepted -> succeeded', () => {
    expect(states('queued')).toEqual(['Queued:current', 'Delivered:pending', 'Accepted:pending', 'Outcome:pending']);
    expect(states('delivered')).toEqual(['Queued:done', 'Delivered:current', 'Accepted:pending', 'Outcome:pending']);
    expect(states('accepted')).toEqual(['Queued:done', 'Delivered:done', 'Accepted:current', 'Outcome:pending']);
    expect(states('succeeded')).toEqual(['Queued:done', 'Delivered:done', 'Accepted:done', 'Succeeded:done']);
  });
  it('shows failures where they happened', () => {
    expect(states('failed')).toEqual(['Queued:done', 'Delivered:done', 'Accepted:done', 'Failed:failed']);
    expect(states('rejected')).toEqual(['Queued:done', 'Delivered:done', 'Rejected:failed', 'Outcome:skipped']);
    expect(states('expired')).toEqual(['Queued:done', 'Expired:failed', 'Accepted:skipped', 'Outcome:skipped']);
  });
  it('knows which states are final', () => {
    expect(['queued', 'delivered', 'accepted'].map((s) => isTerminal(s as 'queued'))).toEqual([false, false, false]);
    expect(['succeeded', 'failed', 'rejected', 'expired'].map((s) => isTerminal(s as 'queued'))).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});
