import { describe, expect, it } from 'vitest';
import { redactFields, redactText } from '../src/extensions/support-bundle/redact.js';
import { LogRing, recordingLogger } from '../src/extensions/support-bundle/log-ring.js';
import { silentLogger } from '../src/logger.js';

/** The redaction rules of support bundles (issue 17; docs/device-agent.md#support-bundles). */
describe('support bundle redaction', () => {
  it('replaces secrets, emails, MAC and IP addresses in text, and counts each rule', () => {
    const counts = new Map<string, number>();
    const text = redactText(
      'GET http://127.0.0.1:8080/#k=abcDEF123_- Authorization: Bearer eyJhbGciOi.x-y ' +
        'mail anna@example.de, mac 00:1A:2B:3C:4D:5E, ip 10.0.0.7 and fe80::1ff:fe23:4567:890a',
      counts,
    );
    expect(text).not.toMatch(/abcDEF123|eyJhbGciOi|anna@example\.de|00:1A:2B|10\.0\.0\.7|127\.0\.0\.1|fe80::1ff/);
    expect(text).toContain('#k=[redacted:secret]');
    expect(Object.fromEntries(counts)).toEqual({ secret: 2, email: 1, mac: 1, ip: 3 });
  });

  it('keeps UUID message ids but redacts other long token-like runs', () => {
    const counts = new Map<string, number>();
    const id = '3f2b8c1e-7a4d-4e9b-8f00-1c2d3e4f5a6b';
    const text = redactText(`command ${id} used key ${'Zm9vYmFy'.repeat(6)}`, counts);
    expect(text).toContain(id);
    expect(text).toContain('[redacted:token]');
    expect(counts.get('token')).toBe(1);
  });

  it('drops the value of every secret-named field, nested too, and keeps the others', () => {
    const counts = new Map<string, number>();
    const out = redactFields(
      { token: 't0ps3cret', nested: { apiKey: 'k', password: 'p', count: 3 }, reason: 'timeout', empty: '' },
      counts,
    );
    expect(out).toEqual({
      token: '[redacted:secret]',
      nested: { apiKey: '[redacted:secret]', password: '[redacted:secret]', count: 3 },
      reason: 'timeout',
      empty: '',
    });
    expect(counts.get('secret')).toBe(3);
  });

  it('keeps the newest lines at info and above in the log ring', () => {
    let now = 1_000;
    const ring = new LogRing(3);
    const log = recordingLogger(silentLogger, ring, () => now++);
    log.debug('noise'); // at 1000, not kept; line n at 1000 + n
    for (const n of [1, 2, 3, 4]) log.info(`line ${n}`);
    expect(ring.between(0, Number.MAX_SAFE_INTEGER).map((l) => l.message)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(ring.between(1_003, 1_003).map((l) => l.message)).toEqual(['line 3']);
  });
});
