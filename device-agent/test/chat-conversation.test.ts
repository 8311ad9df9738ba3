import { describe, expect, it } from 'vitest';
import {
  CHAT_ACCEPT,
  CHAT_DECLINE,
  CHAT_IMAGE_MAX_BYTES,
  CHAT_IMAGE_TYPES,
  CHAT_TEXT_MAX,
  header,
  type ChatStaffMessage,
} from '@touchpoint/protocol';
import { Conversation } from '../src/extensions/chat/conversation.js';
import * as uiLimits from '../ui/src/common/chat-limits.js';

const from = { name: 'Cleo', role: 'agent' as const };
const staff = (body: Extract<ChatStaffMessage, { kind: 'message' }>['body'], extra = {}): ChatStaffMessage => ({
  ...header(1_000),
  kind: 'message',
  caseId: 'case-1',
  from,
  body,
  ...extra,
});

/** The touchscreen's conversation state (issue 17, "Live chat"): pure, so every rule is checked here. */
describe('the conversation on the device', () => {
  it('shows a staff message once, only in the open case, and ends with the case', () => {
    const c = new Conversation();
    const m = staff({ kind: 'text', text: 'Hello' });
    expect(c.staff(m)).toBe(false); // no case open yet
    expect(c.open('case-1')).toBe(true);
    expect(c.staff(m)).toBe(true);
    expect(c.staff(m)).toBe(false); // a redelivery
    expect(c.staff({ ...m, id: 'other-case-msg', caseId: 'case-2' })).toBe(false);
    expect(c.state.entries).toHaveLength(1);
    expect(c.close('case-2')).toBe(false);
    expect(c.close('case-1')).toBe(true);
    expect(c.state).toEqual({ type: 'chat.state', caseId: null, entries: [], staffTyping: null });
  });

  it("follows the customer's messages from queued to delivered to read", () => {
    const c = new Conversation();
    c.open('case-1');
    c.customer('msg-00001', 1, { kind: 'text', text: 'one' });
    c.customer('msg-00002', 2, { kind: 'text', text: 'two' });
    expect(c.delivered('msg-00001')).toBe(true);
    expect(c.delivered('msg-00001')).toBe(false);
    expect(c.staff({ ...header(3), kind: 'read', caseId: 'case-1', upTo: 'msg-00001' })).toBe(true);
    expect(c.state.entries.map((e) => (e.from === 'customer' ? e.state : e.from))).toEqual(['read', 'queued']);
  });

  it('takes one tap per question, only of an offered choice and before it expires', () => {
    const c = new Conversation();
    c.open('case-1');
    const quick = staff({
      kind: 'quickReplies',
      text: 'Empty?',
      choices: [
        { id: 'yes', label: 'Yes' },
        { id: 'no', label: 'No' },
      ],
    });
    const video = staff({ kind: 'video', text: 'May I call?' }, { expiresAt: 5_000 });
    c.staff(quick);
    c.staff(video);
    expect(c.canAnswer(quick.id, 'maybe', 2_000)).toMatch(/does not offer/);
    expect(c.canAnswer(quick.id, 'no', 2_000)).toBeUndefined();
    c.customer('msg-00003', 2_000, { kind: 'answer', replyTo: quick.id, choice: 'no' });
    expect(c.canAnswer(quick.id, 'yes', 2_000)).toMatch(/answered already/);
    expect(c.canAnswer(video.id, CHAT_ACCEPT, 4_000)).toBeUndefined();
    expect(c.canAnswer(video.id, CHAT_DECLINE, 6_000)).toMatch(/expired/);
    expect(c.canAnswer('no-such-message', 'yes', 2_000)).toMatch(/no such message/);
  });

  it('shows staff typing until their message arrives', () => {
    const c = new Conversation();
    c.open('case-1');
    expect(c.staff({ ...header(), kind: 'typing', caseId: 'case-1', from, typing: true })).toBe(true);
    expect(c.state.staffTyping).toBe('Cleo');
    c.staff(staff({ kind: 'text', text: 'Done' }));
    expect(c.state.staffTyping).toBeNull();
  });

  it("spells out protocol's limits in the touch UI (which imports only types)", () => {
    expect({ ...uiLimits }).toEqual({
      CHAT_ACCEPT,
      CHAT_DECLINE,
      CHAT_IMAGE_MAX_BYTES,
      CHAT_IMAGE_TYPES,
      CHAT_TEXT_MAX,
    });
  });
});
