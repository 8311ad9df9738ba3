import { describe, expect, it } from 'vitest';
import { kioskKeyFromHash } from '../../ui/src/common/kiosk-key-from-hash.js';
import { kioskProtocols } from '../../ui/src/data/kiosk-key.js';
import { kioskProtocols as agentKioskProtocols, kioskSecretOf } from '../../src/local-server/kiosk-key.js';

const KEY = 'AbC-_0123456789abcdefghijklmnopqrstuvwxyzAB';

describe('kioskKeyFromHash (touch UI)', () => {
  it('reads the secret from #k=, with or without the hash sign, next to other parameters', () => {
    expect(KEY).toHaveLength(43);
    expect(kioskKeyFromHash(`#k=${KEY}`)).toBe(KEY);
    expect(kioskKeyFromHash(`k=${KEY}`)).toBe(KEY);
    expect(kioskKeyFromHash(`#lang=de&k=${KEY}`)).toBe(KEY);
  });

  it('ignores a missing or malformed secret', () => {
    for (const hash of ['', '#', '#k=', `#k=${KEY}x`, `#k=${KEY.slice(1)}`, `#k=${KEY.slice(0, 42)}.`, `#key=${KEY}`])
      expect(kioskKeyFromHash(hash), hash).toBeUndefined();
  });

  it('agrees with the agent on the URL and the subprotocols', () => {
    const url = `http://127.0.0.1:8787/#k=${KEY}`;
    expect(kioskKeyFromHash(new URL(url).hash)).toBe(kioskSecretOf(url));
    expect(kioskProtocols(KEY)).toEqual(agentKioskProtocols(KEY));
  });
});
