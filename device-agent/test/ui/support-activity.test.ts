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
