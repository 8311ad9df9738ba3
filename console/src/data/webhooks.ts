import {
  deliveryListResponse,
  replayResponse,
  webhookDeleteResponse,
  webhookEndpointResponse,
  webhookListResponse,
  webhookWithSecret,
  type CreateWebhookRequest,
  type DeliveryStatus,
  type UpdateWebhookRequest,
} from '@touchpoint/protocol';
import { api } from './api.js';

const one = (id: string, verb = '') => `/api/webhooks/${encodeURIComponent(id)}${verb ? `/${verb}` : ''}`;

export const listWebhooks = async () => (await api('GET', '/api/webhooks', webhookListResponse)).items;
export const createWebhook = (request: CreateWebhookRequest) =>
  api('POST', '/api/webhooks', webhookWithSecret, { body: request });
export const updateWebhook = (id: string, change: UpdateWebhookRequest) =>
  api('POST', one(id), webhookEndpointResponse, { body: change });
export const rotateWebhook = (id: string) => api('POST', one(id, 'rotate'), webhookWithSecret);
export const deleteWebhook = (id: string) => api('POST', one(id, 'delete'), webhookDeleteResponse);
export const listDeliveries = async (status?: DeliveryStatus) =>
  (await api('GET', '/api/webhook-deliveries', deliveryListResponse, { query: { status, limit: 100 } })).items;
export const replayDelivery = (id: number) => api('POST', `/api/webhook-deliveries/${id}/replay`, replayResponse);
