import { fixListResponse, rolloutListResponse, rolloutView } from '@touchpoint/protocol';
import { api } from './api.js';

/** Staged rollouts and fleet-wide fixes (issue 18): thin typed calls, the broker checks roles and audits. */
export const listRollouts = async () => (await api('GET', '/api/rollouts', rolloutListResponse)).items;
export const changeRollout = (id: string, verb: 'pause' | 'resume' | 'abort') =>
  api('POST', `/api/rollouts/${encodeURIComponent(id)}/${verb}`, rolloutView);
export const listFleetFixes = async () => (await api('GET', '/api/fleet-fixes', fixListResponse)).items;
