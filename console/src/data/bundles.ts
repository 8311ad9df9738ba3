import { bundleListResponse, bundleSummary, type BundleSummary } from '@touchpoint/protocol';
import { api } from './api.js';

const enc = encodeURIComponent;

/** Support bundles on a case (issue 17). */
export const fetchBundles = async (caseId: string): Promise<BundleSummary[]> =>
  (await api('GET', `/api/cases/${enc(caseId)}/bundles`, bundleListResponse)).items;
/** Asks the case's device for the last 24 h; the customer decides on the device. */
export const requestBundle = (caseId: string): Promise<BundleSummary> =>
  api('POST', `/api/cases/${enc(caseId)}/bundles`, bundleSummary, { body: {} });
/** Where the browser downloads a stored bundle (a JSON file; same-origin GET with the session cookie). */
export const bundleDownloadHref = (caseId: string, bundleId: string): string =>
  `/api/cases/${enc(caseId)}/bundles/${enc(bundleId)}`;
