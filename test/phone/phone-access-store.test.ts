import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PhoneAccessStore } from '@touchpoint/broker/store';
import { ErrorCode, mayConfirmOnPhone } from '@touchpoint/protocol';
import { DIALECTS, openStore, stopSharedPostgres, type OpenedStore } from '../store/dialects.js';

/**
 * The phone's access in the fleet database (issue 17, migration 016), on both dialects: a link is used
 * once, works only until it expires, is replaced by the device's next one, and the phone's steps are
 * numbered so a replayed one is refused.
 */
const LINK = 60_000;
const ACCESS = 30 * 60_000;
const T0 = 1_800_000_000_000;

afterAll(() => stopSharedPostgres());

describe.each(DIALECTS)('phone access on %s', (dialect) => {
  let opened: OpenedStore;
  let phones: PhoneAccessStore;

  beforeEach(async () => {
    opened = await openStore(dialect);
    phones = new PhoneAccessStore(opened.store);
  });
  afterEach(() => opened.close());

  it('claims a link once, binds the phone with a key, and numbers its steps', async () => {
    const link = await phones.issue('cm-1', LINK, ACCESS, T0);
    const claim = await phones.claim(link.token, ACCESS, T0 + 1000);
    expect(claim).toMatchObject({ ok: true, value: { accessId: link.accessId, deviceId: 'cm-1' } });
    if (!claim.ok) return;
    expect(claim.value.expiresAt).toBe(T0 + 1000 + ACCESS);
    expect(await phones.claim(link.token, ACCESS, T0 + 2000)).toMatchObject({ ok: false, code: ErrorCode.REPLAY });

    expect(await phones.byKey(link.accessId, claim.value.key)).toMatchObject({ deviceId: 'cm-1', claimed: true });
    expect(await phones.byKey(link.accessId, 'not-the-key')).toBeUndefined();
    expect([
      await phones.takeSeq(link.accessId, 0),
      await phones.takeSeq(link.accessId, 0),
      await phones.takeSeq(link.accessId, 2),
      await phones.takeSeq(link.accessId, 1),
    ]).toEqual([true, false, true, false]);

    expect(await phones.end(link.accessId, 'device', T0 + 3000)).toBe(true);
    expect(await phones.end(link.accessId, 'phone', T0 + 4000)).toBe(false);
    expect(await phones.get(link.accessId)).toMatchObject({ endedAt: T0 + 3000, endedBy: 'device' });
    expect(await phones.open('cm-1')).toBeUndefined();
  });

  it('refuses an expired link and one the device replaced; the new link ends the old access', async () => {
    const late = await phones.issue('cm-2', LINK, ACCESS, T0);
    expect(await phones.claim(late.token, ACCESS, T0 + LINK)).toMatchObject({ ok: false, code: ErrorCode.EXPIRED });

    const first = await phones.issue('cm-2', LINK, ACCESS, T0 + 1);
    expect(first.replaced).toEqual([late.accessId]);
    const claimed = await phones.claim(first.token, ACCESS, T0 + 2);
    expect(claimed.ok).toBe(true);
    const second = await phones.issue('cm-2', LINK, ACCESS, T0 + 3);
    expect(second.replaced).toEqual([first.accessId]);
    expect(await phones.get(first.accessId)).toMatchObject({ endedBy: 'replaced' });
    expect(await phones.open('cm-2')).toMatchObject({ id: second.accessId, claimed: false });
    // Another device's link is its own.
    const other = await phones.issue('cm-3', LINK, ACCESS, T0 + 4);
    expect(other.replaced).toEqual([]);
    expect(await phones.claim('A'.repeat(43), ACCESS, T0 + 5)).toMatchObject({ ok: false, code: ErrorCode.EXPIRED });
  });
});

describe('where the customer may confirm an action (profile confirmOn)', () => {
  const needs = { de: 'Bitte am Gerät bleiben.', en: 'Please stay at the machine.' };
  it('defaults to the device for an action that needs the customer there, else allows the phone', () => {
    expect(mayConfirmOnPhone({})).toBe(true);
    expect(mayConfirmOnPhone({ needsCustomer: needs })).toBe(false);
    expect(mayConfirmOnPhone({ confirmOn: 'device' })).toBe(false);
    expect(mayConfirmOnPhone({ needsCustomer: needs, confirmOn: 'device-or-phone' })).toBe(true);
  });
});
