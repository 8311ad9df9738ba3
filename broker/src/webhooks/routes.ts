import {
  createWebhookRequest,
  deliveryListQuery,
  deliveryListResponse,
  replayResponse,
  updateWebhookRequest,
  webhookDeleteResponse,
  webhookEndpointResponse,
  webhookListResponse,
  webhookWithSecret,
  ErrorCode,
  type WebhookView,
} from '@touchpoint/protocol';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { route, type Route } from '../http/router.js';
import { refusal } from '../http/routes/integrations.js';
import { ZAMMAD_INBOUND_PREFIX } from '../connectors/zammad/inbound.js';
import type { WebhookEndpoint } from './endpoints.js';
import type { WebhookService } from './service.js';

function views(service: WebhookService, list: WebhookEndpoint[]): WebhookView[] {
  const counts = service.queue.counts();
  return list.map((e) => ({
    id: e.id,
    name: e.name,
    kind: e.kind,
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    zammad: e.zammad,
    createdAt: e.createdAt,
    createdBy: e.createdBy,
    updatedAt: e.updatedAt,
    secretRotatedAt: e.secretRotatedAt,
    pending: counts.get(e.id)?.pending ?? 0,
    dead: counts.get(e.id)?.dead ?? 0,
  }));
}

const view = (service: WebhookService, e: WebhookEndpoint) => views(service, [e])[0]!;
const inboundPath = (e: WebhookEndpoint) => (e.kind === 'zammad' ? `${ZAMMAD_INBOUND_PREFIX}${e.id}` : undefined);

/**
 * The audit log (which viewers read) keeps a receiver's host, never its URL: a path or query may be the
 * credential itself (chat tools' incoming-webhook URLs are).
 */
function hostOf(url: string): string {
  return new URL(url).host;
}

function deliveryId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new HttpError(ErrorCode.ID_INVALID, `${raw ?? ''} is not a delivery id`);
  return id;
}

/**
 * Webhooks and the Zammad connector for admins (issue 17; docs/integrations.md). Every change is audited
 * (`webhook.*`) without its secret; a secret or token is in a response only on create and rotate.
 */
export function webhookRoutes(service: WebhookService): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/webhooks',
      role: 'admin',
      action: 'webhook.list',
      response: webhookListResponse,
      handle: () => ({ items: views(service, service.endpoints.list()) }),
    }),
    route({
      method: 'POST',
      path: '/api/webhooks',
      role: 'admin',
      action: 'webhook.create',
      body: createWebhookRequest,
      response: webhookWithSecret,
      status: 201,
      handle: async ({ body, auth }, deps) => {
        const { endpoint, secret } = refusal(() => service.endpoints.add(body, auth.staff.name));
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'webhook.create',
          target: endpoint.name,
          outcome: 'ok',
          detail: {
            kind: endpoint.kind,
            host: hostOf(endpoint.url),
            events: endpoint.events,
            enabled: endpoint.enabled,
          },
        });
        return { endpoint: view(service, endpoint), secret, inboundPath: inboundPath(endpoint) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/webhooks/:id',
      role: 'admin',
      action: 'webhook.update',
      body: updateWebhookRequest,
      response: webhookEndpointResponse,
      handle: async ({ params, body, auth }, deps) => {
        const endpoint = refusal(() => service.endpoints.update(params.id!, body));
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'webhook.update',
          target: endpoint.name,
          outcome: 'ok',
          detail: { ...body, url: body.url === undefined ? undefined : hostOf(body.url) },
        });
        service.wake();
        return { endpoint: view(service, endpoint) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/webhooks/:id/rotate',
      role: 'admin',
      action: 'webhook.rotate',
      body: z.object({}),
      response: webhookWithSecret,
      handle: async ({ params, auth }, deps) => {
        const { endpoint, secret } = refusal(() => service.endpoints.rotate(params.id!));
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'webhook.rotate',
          target: endpoint.name,
          outcome: 'ok',
        });
        return { endpoint: view(service, endpoint), secret, inboundPath: inboundPath(endpoint) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/webhooks/:id/delete',
      role: 'admin',
      action: 'webhook.delete',
      body: z.object({}),
      response: webhookDeleteResponse,
      handle: async ({ params, auth }, deps) => {
        const endpoint = refusal(() => service.endpoints.remove(params.id!));
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'webhook.delete',
          target: endpoint.name,
          outcome: 'ok',
          detail: { kind: endpoint.kind, host: hostOf(endpoint.url) },
        });
        return { deleted: endpoint.id };
      },
    }),
    route({
      method: 'GET',
      path: '/api/webhook-deliveries',
      role: 'admin',
      action: 'webhook.deliveries',
      query: deliveryListQuery,
      response: deliveryListResponse,
      handle: ({ query }) => ({
        items: service.queue.list({ status: query.status, endpointId: query.endpoint, limit: query.limit }),
      }),
    }),
    route({
      method: 'POST',
      path: '/api/webhook-deliveries/:id/replay',
      role: 'admin',
      action: 'webhook.replay',
      body: z.object({}),
      response: replayResponse,
      handle: async ({ params, auth }, deps) => {
        const original = deliveryId(params.id);
        const id = refusal(() => service.replay(original));
        const delivery = service.queue.get(id)!;
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'webhook.replay',
          target: delivery.endpointName,
          outcome: 'ok',
          detail: { delivery: original, replay: id, eventId: delivery.eventId, eventType: delivery.eventType },
        });
        return { delivery };
      },
    }),
  ];
}
