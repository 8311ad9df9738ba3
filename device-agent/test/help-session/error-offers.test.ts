import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import type { HelpOffer } from '@touchpoint/protocol';
import { ErrorOffers } from '../../src/extensions/help-session/error-offers.js';
import { FlowCatalog } from '../../src/extensions/help-session/flow-catalog.js';
import { silentLogger } from '../../src/logger.js';
import { loadProfile } from '../../src/profile-loader.js';

const MODEL_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');
const profile = loadProfile(MODEL_DIR);

/** The parts the help-session extension was split into (issue 14), each on its own. */
describe('FlowCatalog and ErrorOffers', () => {
  it('loads this model’s flows and offers them for active errors in raised order, pushing only changes', async () => {
    const catalog = new FlowCatalog(profile, silentLogger);
    const pushed: HelpOffer[][] = [];
    const offers = new ErrorOffers(
      profile,
      () => catalog.loaded,
      (o) => pushed.push(o),
    );
    offers.raised('E05'); // no flows loaded yet: nothing to offer, nothing pushed
    expect(pushed).toEqual([]);

    await catalog.load(MODEL_DIR);
    expect(catalog.find('descale')?.id).toBe('descale');
    expect(catalog.catalog().device.name).toEqual(profile.name);
    offers.flowsChanged(); // new flows: always pushed
    expect(pushed.at(-1)?.map((o) => o.code)).toEqual(['E05']);

    offers.raised('E05'); // again: no change, no push
    expect(pushed).toHaveLength(1);
    offers.raised('E03');
    expect(pushed.at(-1)?.map((o) => o.code)).toEqual(['E05', 'E03']);
    // A full list read from the MCU (in its own order) keeps the order the errors were raised in: no change.
    expect(offers.replace(['E03', 'E05'], offers.eventCount)).toBe(true);
    expect(offers.current.map((o) => o.code)).toEqual(['E05', 'E03']);
    expect(pushed).toHaveLength(2);
    offers.cleared('E05');
    expect(pushed.at(-1)?.map((o) => o.code)).toEqual(['E03']);
  });

  it('drops a list read before an error event that followed it on the wire (a cleared error stays cleared)', async () => {
    const catalog = new FlowCatalog(profile, silentLogger);
    await catalog.load(MODEL_DIR);
    const offers = new ErrorOffers(
      profile,
      () => catalog.loaded,
      () => undefined,
    );
    offers.raised('E05');
    offers.raised('E03');
    // A read starts; the MCU answers [E05, E03], then clears both; the read's continuation runs last.
    const atRead = offers.eventCount;
    offers.cleared('E05');
    offers.cleared('E03');
    expect(offers.replace(['E05', 'E03'], atRead)).toBe(false);
    expect(offers.current).toEqual([]);
    // A read with no event in between is applied.
    expect(offers.replace(['E05'], offers.eventCount)).toBe(true);
    expect(offers.current.map((o) => o.code)).toEqual(['E05']);
  });
});
