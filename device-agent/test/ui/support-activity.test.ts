import { describe, expect, it } from 'vitest';
import { foldSupportActivity, NO_SUPPORT_ACTIVITY } from '../../ui/src/common/support-activity.js';
import { parseAgentMessage, type AgentMessage } from '../../ui/src/data/agent-messages.js';

const descale = { de: 'Entkalken', en: 'Descale' };
const fold = (messages: AgentMessage[]) => messages.reduce(foldSupportActivity, NO_SUPPORT_ACTIVITY);

describe('foldSupportActivity (the touchscreen support panel, issue 16)', () => {
  it('follows one command from accepted through progress to its result', () => {
    const accepted: AgentMessage = {
      type: 'command',
      commandId: 'c1',
      action: 'descale',
      label: descale,
      status: 'accepted',
    };
    expect(fold([accepted]).action).toEqual({
      commandId: 'c1',
      action: 'descale',
      label: descale,
      status: 'running',
      percent: null,
    });
    const progress: AgentMessage = { type: 'progress', commandId: 'c1', action: 'descale', percent: 40 };
    expect(fold([accepted, progress]).action?.percent).toBe(40);
    const done: AgentMessage = { type: 'command', commandId: 'c1', status: 'failed', code: 'ACTION_FAILED' };
    expect(fold([accepted, progress, done]).action).toMatchObject({ status: 'failed', percent: 40 });
  });

  it('ignores progress and results of another command, and progress after the end', () => {
    const state = fold([
      { type: 'command', commandId: 'c1', action: 'rinse', status: 'accepted' },
      { type: 'progress', commandId: 'other', action: 'descale', percent: 50 },
      { type: 'command', commandId: 'other', status: 'succeeded' },
    ]);
    expect(state.action).toMatchObject({ commandId: 'c1', status: 'running', percent: null });
    const ended = fold([
      { type: 'command', commandId: 'c1', action: 'rinse', status: 'accepted' },
      { type: 'command', commandId: 'c1', status: 'succeeded' },
      { type: 'progress', commandId: 'c1', action: 'rinse', percent: 10 },
    ]);
    expect(ended.action).toMatchObject({ status: 'succeeded', percent: null });
  });

  it('keeps the case status, and starts from nothing on a new hello (the agent greets with what still runs)', () => {
    const state = fold([
      { type: 'case.status', caseId: 'k1', status: 'claimed', agentName: 'Sam Support' },
      { type: 'command', commandId: 'c1', action: 'rinse', status: 'accepted' },
    ]);
    expect(state.supportCase).toEqual({ caseId: 'k1', status: 'claimed', agentName: 'Sam Support' });
    const hello: AgentMessage = {
      type: 'hello',
      deviceId: 'd',
      model: 'm',
      profileVersion: '1',
      agentVersion: '1',
      state: { broker: 'online', link: 'up', sensors: {}, errors: [], updatedAt: 0 },
    };
    expect(foldSupportActivity(state, hello)).toBe(NO_SUPPORT_ACTIVITY);
  });

  it('returns the same object for messages it does not use (no needless re-render)', () => {
    const state = fold([{ type: 'command', commandId: 'c1', action: 'rinse', status: 'accepted' }]);
    expect(foldSupportActivity(state, { type: 'help.offers', offers: [] })).toBe(state);
  });
});

describe('parseAgentMessage for the support pushes', () => {
  it('accepts command and progress with a label, and refuses a label that is not text by language', () => {
    expect(
      parseAgentMessage(
        JSON.stringify({ type: 'command', commandId: 'c1', action: 'descale', label: descale, status: 'accepted' }),
      ),
    ).toMatchObject({ type: 'command', label: descale });
    expect(
      parseAgentMessage(JSON.stringify({ type: 'progress', commandId: 'c1', action: 'descale', label: 7, percent: 5 })),
    ).toBeUndefined();
    expect(
      parseAgentMessage(JSON.stringify({ type: 'case.status', caseId: 'k1', status: 'open', agentName: 3 })),
    ).toBeUndefined();
  });
});

describe('foldSupportActivity: actions that need the customer and remote control (issue 16)', () => {
  const grinder = { de: 'Mahlwerk freifahren', en: 'Clear grinder' };
  const reason = { de: 'Das Mahlwerk dreht sich.', en: 'The grinder turns.' };
  const asked: AgentMessage = {
    type: 'support.ask',
    commandId: 'c9',
    action: 'clear_grinder',
    label: grinder,
    reason,
    until: 1_000,
  };

  it('shows the question until the command starts, then the running action', () => {
    const asking = fold([asked]);
    expect(asking.ask).toEqual({ commandId: 'c9', action: 'clear_grinder', label: grinder, reason, until: 1_000 });
    const running = fold([
      asked,
      { type: 'command', commandId: 'c9', action: 'clear_grinder', label: grinder, status: 'accepted' },
    ]);
    expect(running.ask).toBeUndefined();
    expect(running.action).toMatchObject({ commandId: 'c9', status: 'running' });
  });

  it('closes the question with what became of it: declined, no answer, or refused by another check', () => {
    const closed = (code: string) =>
      fold([asked, { type: 'command', commandId: 'c9', status: 'rejected', code }]).action?.status;
    expect(closed('CUSTOMER_DECLINED')).toBe('declined');
    expect(closed('CUSTOMER_NO_ANSWER')).toBe('no-answer');
    expect(closed('PRECONDITION_FAILED')).toBe('failed');
    expect(fold([asked, { type: 'command', commandId: 'c9', status: 'rejected', code: 'X' }]).ask).toBeUndefined();
  });

  it('a result for another command leaves the question open', () => {
    const state = fold([asked, { type: 'command', commandId: 'other', status: 'rejected', code: 'CUSTOMER_DECLINED' }]);
    expect(state.ask?.commandId).toBe('c9');
    expect(state.action).toBeUndefined();
  });

  it('keeps whether remote control is allowed, until when and for how long it would be', () => {
    expect(fold([{ type: 'support.remote', until: 5_000, minutes: 15 }])).toMatchObject({
      remoteUntil: 5_000,
      remoteMinutes: 15,
    });
    expect(
      fold([
        { type: 'support.remote', until: 5_000, minutes: 15 },
        { type: 'support.remote', until: null, minutes: 15 },
      ]).remoteUntil,
    ).toBeNull();
  });

  it('parses the pushes and refuses a question without a reason by language', () => {
    expect(parseAgentMessage(JSON.stringify(asked))).toEqual(asked);
    expect(parseAgentMessage(JSON.stringify({ ...asked, reason: 'hot' }))).toBeUndefined();
    expect(parseAgentMessage(JSON.stringify({ type: 'support.remote', until: null, minutes: 30 }))).toEqual({
      type: 'support.remote',
      until: null,
      minutes: 30,
    });
    expect(parseAgentMessage(JSON.stringify({ type: 'support.remote', until: 'soon', minutes: 30 }))).toBeUndefined();
  });
});
