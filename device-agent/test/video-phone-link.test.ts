import { describe, expect, it } from 'vitest';
import { checkPhoneLink, phoneLinkPolicy } from '../src/extensions/video/phone-link.js';
import { agentConfigSchema } from '../src/config.js';

const token = 'x'.repeat(43);

describe('checkPhoneLink: the touchscreen shows only links of its pinned origin (issue 12, Low)', () => {
  it('pins the broker host by default: https on it (any port), http only when it is loopback', () => {
    const remote = phoneLinkPolicy('mqtts://support.example.com:8883');
    expect(checkPhoneLink(remote, `https://support.example.com/v/${token}`)).toEqual({
      ok: true,
      value: `https://support.example.com/v/${token}`,
    });
    expect(checkPhoneLink(remote, `https://support.example.com:8443/v/${token}`).ok).toBe(true);
    expect(checkPhoneLink(remote, `http://support.example.com/v/${token}`)).toMatchObject({
      ok: false,
      code: 'NOT_AUTHORIZED',
    });
    const local = phoneLinkPolicy('mqtt://127.0.0.1:1883');
    expect(checkPhoneLink(local, `http://127.0.0.1:8080/v/${token}`).ok).toBe(true);
    expect(checkPhoneLink(local, `http://localhost:8080/v/${token}`)).toMatchObject({
      ok: false,
      code: 'NOT_AUTHORIZED',
    });
  });
  it('with a configured origin, only that exact origin', () => {
    const pinned = phoneLinkPolicy('mqtts://mqtt.example.com:8883', 'https://support.example.com');
    expect(checkPhoneLink(pinned, `https://support.example.com/v/${token}`).ok).toBe(true);
    expect(checkPhoneLink(pinned, `https://mqtt.example.com/v/${token}`)).toMatchObject({
      ok: false,
      code: 'NOT_AUTHORIZED',
    });
    expect(checkPhoneLink(pinned, `https://support.example.com:444/v/${token}`)).toMatchObject({
      ok: false,
      code: 'NOT_AUTHORIZED',
    });
  });
  it.each([
    `https://evil.example/v/${token}`,
    `https://support.example.com.evil.example/v/${token}`,
    `https://user@support.example.com/v/${token}`,
    `https://support.example.com/v/${token}?next=https://evil.example`,
    `https://support.example.com/v/${token}#x`,
    `https://support.example.com/phish/${token}`,
    `https://support.example.com/v/short`,
    `javascript:alert(1)`,
    `data:text/html,<script>1</script>`,
    'not a url',
  ])('refuses %s', (link) => {
    expect(checkPhoneLink(phoneLinkPolicy('mqtts://support.example.com'), link).ok).toBe(false);
  });
});

describe('config video.phoneOrigin', () => {
  const base = {
    deviceId: 'cm-1',
    brokerUrl: 'mqtt://127.0.0.1:1883',
    token: 't'.repeat(32),
    serial: { path: '/dev/null' },
    dataDir: '/tmp/x',
    trustedKeys: [{ keyId: 'k', publicKeyPem: '-----BEGIN PUBLIC KEY-----' }],
    profile: 'p',
  };
  it('accepts an https origin (or loopback http) and defaults to none', () => {
    expect(agentConfigSchema.parse(base).video).toEqual({});
    expect(
      agentConfigSchema.parse({ ...base, video: { phoneOrigin: 'https://support.example.com' } }).video.phoneOrigin,
    ).toBe('https://support.example.com');
    expect(
      agentConfigSchema.parse({ ...base, video: { phoneOrigin: 'http://127.0.0.1:8080' } }).video.phoneOrigin,
    ).toBe('http://127.0.0.1:8080');
  });
  it.each(['http://support.example.com', 'https://support.example.com/path', 'ftp://x', 'support.example.com'])(
    'refuses %s',
    (phoneOrigin) => {
      expect(agentConfigSchema.safeParse({ ...base, video: { phoneOrigin } }).success).toBe(false);
    },
  );
});
