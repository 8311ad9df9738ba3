import {
  deviceDetail,
  deviceListResponse,
  diagnosticsHistoryResponse,
  helpSessionResponse,
  profileListResponse,
  provisionResponse,
  timelineResponse,
  type DeviceDetail,
  type DeviceListResponse,
  type DiagnosticsPoint,
  type HelpSessionResponse,
  type ProfileView,
  type ProvisionRequest,
  type TimelineResponse,
} from '@touchpoint/protocol';
import { api } from './api.js';

const enc = encodeURIComponent;

export interface DeviceFilter {
  search?: string | undefined;
  model?: string | undefined;
  errorCode?: string | undefined;
  tag?: string | undefined;
  online?: boolean | undefined;
}

export const listDevices = (query: DeviceFilter & { limit: number; offset: number }): Promise<DeviceListResponse> =>
  api('GET', '/api/devices', deviceListResponse, { query: { ...query } });

export const fetchDevice = (id: string): Promise<DeviceDetail> => api('GET', `/api/devices/${enc(id)}`, deviceDetail);

export const fetchDiagnostics = async (id: string, limit = 300): Promise<DiagnosticsPoint[]> =>
  (await api('GET', `/api/devices/${enc(id)}/diagnostics`, diagnosticsHistoryResponse, { query: { limit } })).items;

export const fetchTimeline = (id: string, before?: string): Promise<TimelineResponse> =>
  api('GET', `/api/devices/${enc(id)}/timeline`, timelineResponse, { query: { limit: 30, before } });

export const fetchHelpSession = (id: string, sessionId?: string): Promise<HelpSessionResponse> =>
  api('GET', `/api/devices/${enc(id)}/session`, helpSessionResponse, { query: { sessionId } });

export const listProfiles = async (): Promise<ProfileView[]> =>
  (await api('GET', '/api/profiles', profileListResponse)).items;

export const provisionDevice = (request: ProvisionRequest) =>
  api('POST', '/api/devices', provisionResponse, { body: request });
