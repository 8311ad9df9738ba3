import {
  contentMeResponse,
  contentModelResponse,
  contentModelsResponse,
  contentRolesResponse,
  contentVersionResponse,
  proposalView,
  proposalsResponse,
  type ContentBody,
} from '@touchpoint/protocol';
import { api } from './api.js';

// The flow studio's API (issue 18, docs/help-lifecycle.md).
const enc = encodeURIComponent;

export const fetchContentRoles = async () => (await api('GET', '/api/content/me', contentMeResponse)).roles;
export const fetchContentModels = async () => (await api('GET', '/api/content/models', contentModelsResponse)).items;
export const fetchContentModel = (model: string) =>
  api('GET', `/api/content/models/${enc(model)}`, contentModelResponse);
export const fetchContentVersion = (id: string) =>
  api('GET', `/api/content/versions/${enc(id)}`, contentVersionResponse);
export const createDraft = (model: string, parentId: string, body: ContentBody, summary: string) =>
  api('POST', `/api/content/models/${enc(model)}/drafts`, contentVersionResponse, {
    body: { parentId, body, summary },
  });
export const saveDraft = (id: string, body: ContentBody, summary: string) =>
  api('POST', `/api/content/versions/${enc(id)}/save`, contentVersionResponse, { body: { body, summary } });
export const proposeVersion = (id: string) =>
  api('POST', `/api/content/versions/${enc(id)}/propose`, contentVersionResponse);
export const approveVersion = (id: string, note?: string) =>
  api('POST', `/api/content/versions/${enc(id)}/approve`, contentVersionResponse, { body: note ? { note } : {} });
export const rejectVersion = (id: string, note: string) =>
  api('POST', `/api/content/versions/${enc(id)}/reject`, contentVersionResponse, { body: { note } });
export const fetchProposals = async (model: string) =>
  (await api('GET', `/api/content/models/${enc(model)}/proposals`, proposalsResponse)).items;
export const createProposal = (p: {
  model: string;
  flowId: string;
  stepId?: string;
  caseId?: string;
  reasons: string[];
  text: string;
}) => api('POST', '/api/content/proposals', proposalView, { body: p });
export const setContentRoles = (staffId: string, roles: ('editor' | 'reviewer')[]) =>
  api('POST', `/api/staff/${enc(staffId)}/content-roles`, contentRolesResponse, { body: { roles } });
