import { describe, expect, it } from 'vitest';
import { iceTransportPolicyFor } from '../src/webrtc/transport-policy.js';

describe('iceTransportPolicyFor: relay only when TURN is configured (issue 12, Low)', () => {
  it('is relay as soon as one server has a turn: or turns: URL', () => {
    expect(
      iceTransportPolicyFor([
        { urls: 'stun:stun.example.com:3478' },
        { urls: ['turn:turn.example.com:3478?transport=udp'], username: 'u', credential: 'c' },
      ]),
    ).toBe('relay');
    expect(iceTransportPolicyFor([{ urls: ['stun:a:3478', 'TURNS:turn.example.com:5349'] }])).toBe('relay');
  });
  it('is all with STUN only or no servers (host candidates on a LAN)', () => {
    expect(iceTransportPolicyFor([])).toBe('all');
    expect(iceTransportPolicyFor([{ urls: ['stun:a:3478', 'stun:b:3478'] }])).toBe('all');
  });
});
