import { describe, expect, it } from 'vitest';
import { ErrorCode, TouchpointError, deviceTopic, hasWildcard, parseTopic, signalTopic } from '../src/index.js';

describe('topics', () => {
  it('builds every device topic under the device prefix', () => {
    expect(deviceTopic('cm-001', 'diagnostics')).toBe('tp/v1/d/cm-001/diag');
    expect(deviceTopic('cm-001', 'command')).toBe('tp/v1/d/cm-001/cmd');
    expect(signalTopic('cm-001', 's1', 'up')).toBe('tp/v1/d/cm-001/rtc/s1/up');
  });

  it.each(['a/b', 'a+b', 'a#', 'a\u0000b', '', '../x', 'x'.repeat(65)])('refuses the id %j', (id) => {
    expect(() => deviceTopic(id, 'presence')).toThrowError(TouchpointError);
    try {
      deviceTopic(id, 'presence');
    } catch (err) {
      expect((err as TouchpointError).code).toBe(ErrorCode.ID_INVALID);
    }
  });

  it('refuses a session id that would escape the signalling topic', () => {
    expect(() => signalTopic('cm-001', 's/1', 'down')).toThrowError(/session id/);
  });

  it('parses what it builds and nothing else', () => {
    expect(parseTopic(deviceTopic('wb-7', 'commandResult'))).toEqual({ deviceId: 'wb-7', kind: 'commandResult' });
    expect(parseTopic(signalTopic('wb-7', 'abc', 'down'))).toEqual({
      deviceId: 'wb-7',
      kind: 'signal',
      sessionId: 'abc',
      direction: 'down',
    });
    expect(parseTopic('tp/v1/d/wb-7/unknown')).toBeUndefined();
    expect(parseTopic('tp/v1/d/+/diag')).toBeUndefined();
    expect(parseTopic('other/wb-7/diag')).toBeUndefined();
  });

  it('detects wildcards', () => {
    expect(hasWildcard('tp/v1/d/+/diag')).toBe(true);
    expect(hasWildcard('#')).toBe(true);
    expect(hasWildcard('tp/v1/d/a/diag')).toBe(false);
  });
});
