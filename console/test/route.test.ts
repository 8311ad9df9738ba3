import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from '../src/common/route.js';

describe('routes', () => {
  it('round-trips every view through the hash', () => {
    const routes: Route[] = [
      { view: 'login' },
      { view: 'fleet' },
      { view: 'device', deviceId: 'cm 1/x' },
      { view: 'queue' },
      { view: 'queue', caseId: 'c-1' },
      { view: 'cases' },
      { view: 'audit' },
      { view: 'kpis' },
      { view: 'staff' },
      { view: 'integrations' },
      { view: 'webhooks' },
    ];
    for (const r of routes) expect(parseRoute(routeHref(r))).toEqual(r);
  });
  it('falls back to the fleet for unknown or malformed hashes', () => {
    expect(parseRoute('')).toEqual({ view: 'fleet' });
    expect(parseRoute('#/nope')).toEqual({ view: 'fleet' });
    expect(parseRoute('#/devices/%E0%A4%A')).toEqual({ view: 'fleet' });
  });
});
