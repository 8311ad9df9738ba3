import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ErrorCode,
  actionParamsSchema,
  decode,
  deviceProfile,
  diagnosticsMessage,
  header,
  presenceMessage,
  signalMessage,
  type PresenceMessage,
} from '../src/index.js';

describe('messages', () => {
  it('decodes a valid presence message and pins its type', () => {
    const msg = { ...header(), deviceId: 'cm-1', state: 'online', connectionId: 'c1', agentVersion: '0.1.0' };
    const result = decode(presenceMessage, JSON.stringify(msg));
    expect(result.ok).toBe(true);
    if (result.ok) expectTypeOf(result.value).toEqualTypeOf<PresenceMessage>();
  });

  it('names the error for non-JSON and for schema violations', () => {
    expect(decode(presenceMessage, '{not json')).toMatchObject({ ok: false, code: ErrorCode.BAD_JSON });
    const bad = decode(diagnosticsMessage, JSON.stringify({ ...header(), deviceId: 'x/y' }));
    expect(bad).toMatchObject({ ok: false, code: ErrorCode.SCHEMA_INVALID });
    if (!bad.ok) expect(bad.reason).toContain('deviceId');
  });

  it('requires v, id and ts on every message', () => {
    const { v: _v, ...noVersion } = { ...header(), deviceId: 'cm-1', state: 'online', connectionId: 'c1' };
    expect(decode(presenceMessage, JSON.stringify(noVersion)).ok).toBe(false);
  });

  it('keeps signalling kinds apart', () => {
    const base = { ...header(), sessionId: 's1', seq: 1, staffId: 'st1', from: 'staff' };
    expect(signalMessage.safeParse({ ...base, kind: 'offer', sdp: 'v=0' }).success).toBe(true);
    expect(signalMessage.safeParse({ ...base, kind: 'offer' }).success).toBe(false);
  });

  it('builds a params schema from a profile action', () => {
    const profile = deviceProfile.parse({
      model: 'test-device',
      version: '1.0.0',
      name: { de: 'Test', en: 'Test' },
      sensors: [{ id: 'temp', type: 'number', label: { de: 'T', en: 'T' } }],
      errors: [],
      actions: [
        {
          name: 'heat',
          label: { de: 'Heizen', en: 'Heat' },
          params: {
            target: { type: 'integer', min: 20, max: 95, label: { de: 'Ziel', en: 'Target' } },
            mode: { type: 'enum', values: ['eco', 'fast'], required: false, label: { de: 'Modus', en: 'Mode' } },
          },
        },
      ],
    });
    const schema = actionParamsSchema(profile.actions[0]!);
    expect(schema.safeParse({ target: 60 }).success).toBe(true);
    expect(schema.safeParse({ target: 60, mode: 'fast' }).success).toBe(true);
    expect(schema.safeParse({ target: 100 }).success).toBe(false);
    expect(schema.safeParse({ target: 60.5 }).success).toBe(false);
    expect(schema.safeParse({ target: 60, mode: 'turbo' }).success).toBe(false);
    expect(schema.safeParse({ target: 60, extra: 1 }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
  });
});
