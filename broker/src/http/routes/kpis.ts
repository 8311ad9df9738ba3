import { ErrorCode, kpiQuery, kpiResponse } from '@touchpoint/protocol';
import { computeKpis } from '../../fleet/kpis.js';
import { HttpError } from '../errors.js';
import { route, type Route } from '../router.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export const kpiRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/kpis',
    role: 'viewer',
    action: 'kpi.view',
    query: kpiQuery,
    response: kpiResponse,
    handle: ({ query }, deps) => {
      const to = query.to ?? Date.now();
      const from = query.from ?? to - WEEK_MS;
      if (from >= to) throw new HttpError(ErrorCode.SCHEMA_INVALID, 'query: from must be before to');
      return computeKpis(deps.fleet.store, from, to);
    },
  }),
];
