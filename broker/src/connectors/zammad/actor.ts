import type { StaffMember } from '../../fleet/staff.js';
import type { WebhookEndpoint } from '../../webhooks/endpoints.js';

/** Who a Zammad-side change is by, in the case and the audit log: the connector, named by its endpoint. */
export function connectorActorId(endpoint: Pick<WebhookEndpoint, 'name'>): string {
  return `zammad:${endpoint.name}`;
}

/**
 * The connector acts on cases with an agent's rights (note, resolve, reopen), as the staff in Zammad it speaks
 * for; its id keeps it apart from every real account in the audit log.
 */
export function connectorActor(endpoint: Pick<WebhookEndpoint, 'name'>): StaffMember {
  return { id: connectorActorId(endpoint), name: connectorActorId(endpoint), displayName: 'Zammad', role: 'agent' };
}
