import {
  integrationListResponse,
  integrationWithToken,
  revokeIntegrationResponse,
  type CreateIntegrationRequest,
} from '@touchpoint/protocol';
import { api } from './api.js';

const path = (name: string, verb: 'rotate' | 'revoke') => `/api/integrations/${encodeURIComponent(name)}/${verb}`;

export const listIntegrations = async () => (await api('GET', '/api/integrations', integrationListResponse)).items;
export const createIntegration = (request: CreateIntegrationRequest) =>
  api('POST', '/api/integrations', integrationWithToken, { body: request });
export const rotateIntegration = (name: string) => api('POST', path(name, 'rotate'), integrationWithToken);
export const revokeIntegration = (name: string) => api('POST', path(name, 'revoke'), revokeIntegrationResponse);
