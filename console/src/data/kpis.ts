import { kpiResponse, type KpiResponse } from '@touchpoint/protocol';
import { api } from './api.js';

export const fetchKpis = (from: number, to: number): Promise<KpiResponse> =>
  api('GET', '/api/kpis', kpiResponse, { query: { from, to } });
