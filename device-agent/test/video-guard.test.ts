import { describe, expect, it } from 'vitest';
import { header, type SignalMessage } from '@touchpoint/protocol';
import { checkDown, type BoundCall } from '../src/extensions/video/session-guard.js';

const call: BoundCall = { sessionId: 'vs-1', staffId: 'st-a', lastDownSeq: 3 };
const offer = (over: Partial<SignalMessage> = {}): SignalMessage =>
  ({
    ...header(),
    sessionId: 'vs-1',
    staffId: 'st-a',
    from: 'staff',
    seq: 4,
    kind: 'offer',
    sdp: 'v=0',
    ...over,
  }) as SignalMessage;

describe('checkDown: a signal from the fleet must belong to the call the device is in', () => {
  it('accepts the next message of the bound call and advances the sequence', () => {
    expect(checkDown(call, offer(), 'vs-1')).toEqual({ ok: true, value: { ...call, lastDownSeq: 4 } });
  });
  it('refuses a payload that names another session than its topic', () => {
    expect(checkDown(call, offer(), 'vs-2')).toMatchObject({ ok: false, code: 'SCHEMA_INVALID' });
  });
  it('refuses signalling that claims to come from the device or a phone', () => {
    expect(checkDown(call, offer({ from: 'device' }), 'vs-1')).toMatchObject({ ok: false, code: 'NOT_AUTHORIZED' });
  });
  it('refuses another session and messages without a call', () => {
    expect(checkDown(call, offer({ sessionId: 'vs-9' }), 'vs-9')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(checkDown(undefined, offer(), 'vs-1')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
  it('refuses another staff member', () => {
    expect(checkDown(call, offer({ staffId: 'st-b' }), 'vs-1')).toMatchObject({ ok: false, code: 'NOT_AUTHORIZED' });
  });
  it('refuses replays and reordered duplicates', () => {
    expect(checkDown(call, offer({ seq: 3 }), 'vs-1')).toMatchObject({ ok: false, code: 'REPLAY' });
    expect(checkDown(call, offer({ seq: 0 }), 'vs-1')).toMatchObject({ ok: false, code: 'REPLAY' });
  });
});
