import { auditResponse, type AuditResponse } from '@touchpoint/protocol';
import { api } from './api.js';

export const fetchAudit = (filter: { deviceId?: string; action?: string; before?: string }): Promise<AuditResponse> =>
  api('GET', '/api/audit', auditResponse, { query: { limit: 100, ...filter } });
