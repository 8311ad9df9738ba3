import {
  caseHistoryOptions,
  caseHistoryResponse,
  type AuditExportRequest,
  type CaseExportRequest,
  type CaseHistoryOptions,
  type CaseHistoryFilter,
  type CaseHistoryResponse,
} from '@touchpoint/protocol';
import { api, apiDownload, type Download } from './api.js';

/** Every case in every status, filtered and paged on the server (issue 16). */
export const fetchCaseHistory = (
  query: CaseHistoryFilter & { limit: number; offset: number },
): Promise<CaseHistoryResponse> => api('GET', '/api/case-history', caseHistoryResponse, { query: { ...query } });

export const fetchCaseHistoryOptions = (): Promise<CaseHistoryOptions> =>
  api('GET', '/api/case-history/options', caseHistoryOptions);

export const exportCases = (request: CaseExportRequest): Promise<Download> =>
  apiDownload('/api/case-history/export', request);

export const exportAudit = (request: AuditExportRequest): Promise<Download> =>
  apiDownload('/api/audit/export', request);

/** Hands a downloaded file to the browser's save dialog (or its download folder). */
export function saveDownload(download: Download): void {
  const url = URL.createObjectURL(download.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = download.fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download; a later revoke keeps slow browsers from losing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
