import {
  assignableStaffResponse,
  caseDetail,
  caseQueueResponse,
  type CaseDetail,
  type CaseQueueResponse,
  type CaseUpdateRequest,
} from '@touchpoint/protocol';
import { api } from './api.js';

const enc = encodeURIComponent;

export const fetchQueue = (offset = 0, limit = 200): Promise<CaseQueueResponse> =>
  api('GET', '/api/cases', caseQueueResponse, { query: { limit, offset } });
export const fetchCase = (id: string): Promise<CaseDetail> => api('GET', `/api/cases/${enc(id)}`, caseDetail);
export const updateCase = (id: string, change: CaseUpdateRequest): Promise<CaseDetail> =>
  api('POST', `/api/cases/${enc(id)}`, caseDetail, { body: change });
export const addCaseNote = (id: string, text: string): Promise<CaseDetail> =>
  api('POST', `/api/cases/${enc(id)}/notes`, caseDetail, { body: { text } });
export const fetchAssignable = async () => (await api('GET', '/api/staff/assignable', assignableStaffResponse)).items;
