import { randomBytes } from 'node:crypto';
import {
  ErrorCode,
  TouchpointError,
  newId,
  webhookEventType,
  zammadSettings,
  type WebhookEventType,
  type WebhookKind,
  type ZammadSettings,
} from '@touchpoint/protocol';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';

/** One receiver as the broker keeps it. The secret is here for signing only; views never carry it. */
export interface WebhookEndpoint {
  id: string;
  name: string;
  kind: WebhookKind;
  url: string;
  events: WebhookEventType[];
  /** The HMAC key (webhook) or the API token (Zammad). */
  secret: string;
  /** Zammad: the token its webhook to us is signed with. */
  inboundSecret: string | null;
  zammad: ZammadSettings | null;
  enabled: boolean;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  secretRotatedAt: number | null;
}

interface Row {
  id: string;
  name: string;
  kind: string;
  url: string;
  events: string;
  secret: string;
  inbound_secret: string | null;
  settings: string | null;
  enabled: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  secret_rotated_at: number | null;
}

const storedEvents = z.array(webhookEventType);

/** Every event a connector follows; the admin does not pick them. */
export const ZAMMAD_EVENTS: WebhookEventType[] = ['case.opened', 'case.updated', 'case.resolved'];

/** 256 random bits, prefixed so a leaked one is recognisable in a secret scanner. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function fromRow(r: Row): WebhookEndpoint {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind === 'zammad' ? 'zammad' : 'webhook',
    url: r.url,
    events: storedEvents.parse(JSON.parse(r.events)),
    secret: r.secret,
    inboundSecret: r.inbound_secret,
    zammad: r.settings ? zammadSettings.parse(JSON.parse(r.settings)) : null,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    secretRotatedAt: r.secret_rotated_at,
  };
}

export type NewEndpoint =
  | { kind: 'webhook'; name: string; url: string; events: WebhookEventType[]; enabled: boolean }
  | { kind: 'zammad'; name: string; url: string; token: string; zammad: ZammadSettings; enabled: boolean };

/** The admin's receivers (migration 013). Input is validated by the API's zod schemas before it gets here. */
export class WebhookEndpoints {
  private readonly sql: Prepare;
  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  list(): WebhookEndpoint[] {
    return (this.sql('SELECT * FROM webhook_endpoints ORDER BY name').all() as Row[]).map(fromRow);
  }

  get(id: string): WebhookEndpoint | undefined {
    const r = this.sql('SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** The enabled endpoints that take this event: who a new event is queued for. */
  subscribers(type: WebhookEventType): WebhookEndpoint[] {
    return this.list().filter((e) => e.enabled && e.events.includes(type));
  }

  /** Returns the endpoint and the secret to show once: the signing secret, or for Zammad its inbound token. */
  add(input: NewEndpoint, by: string, now = Date.now()): { endpoint: WebhookEndpoint; secret: string } {
    if (this.sql('SELECT 1 FROM webhook_endpoints WHERE name = ?').get(input.name))
      throw new TouchpointError(ErrorCode.CONFLICT, `a webhook named ${input.name} exists already`);
    const id = newId();
    const fresh = newWebhookSecret();
    const zammad = input.kind === 'zammad';
    this.sql(
      'INSERT INTO webhook_endpoints (id, name, kind, url, events, secret, inbound_secret, settings, enabled, created_at, created_by, updated_at, secret_rotated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
    ).run(
      id,
      input.name,
      input.kind,
      input.url,
      JSON.stringify(zammad ? ZAMMAD_EVENTS : input.events),
      zammad ? input.token : fresh,
      zammad ? fresh : null,
      zammad ? JSON.stringify(input.zammad) : null,
      input.enabled ? 1 : 0,
      now,
      by,
      now,
    );
    return { endpoint: this.get(id)!, secret: fresh };
  }

  update(
    id: string,
    change: { url?: string; events?: WebhookEventType[]; enabled?: boolean; zammad?: ZammadSettings },
    now = Date.now(),
  ): WebhookEndpoint {
    const current = this.found(id);
    if (current.kind === 'zammad' && change.events)
      throw new TouchpointError(ErrorCode.CONFLICT, 'the Zammad connector follows the case events; its list is fixed');
    if (current.kind === 'webhook' && change.zammad)
      throw new TouchpointError(ErrorCode.CONFLICT, `${current.name} is a webhook, not a Zammad connector`);
    this.sql(
      'UPDATE webhook_endpoints SET url = ?, events = ?, enabled = ?, settings = ?, updated_at = ? WHERE id = ?',
    ).run(
      change.url ?? current.url,
      JSON.stringify(change.events ?? current.events),
      (change.enabled ?? current.enabled) ? 1 : 0,
      current.kind === 'zammad' ? JSON.stringify(change.zammad ?? current.zammad) : null,
      now,
      id,
    );
    return this.get(id)!;
  }

  /** A new signing secret (webhook) or inbound token (Zammad); the old one stops working at once. */
  rotate(id: string, now = Date.now()): { endpoint: WebhookEndpoint; secret: string } {
    const current = this.found(id);
    const fresh = newWebhookSecret();
    const column = current.kind === 'zammad' ? 'inbound_secret' : 'secret';
    this.sql(`UPDATE webhook_endpoints SET ${column} = ?, secret_rotated_at = ?, updated_at = ? WHERE id = ?`).run(
      fresh,
      now,
      now,
      id,
    );
    return { endpoint: this.get(id)!, secret: fresh };
  }

  /** Deletes the endpoint with its deliveries, attempts and ticket mapping (ON DELETE CASCADE). */
  remove(id: string): WebhookEndpoint {
    const current = this.found(id);
    this.sql('DELETE FROM webhook_endpoints WHERE id = ?').run(id);
    return current;
  }

  private found(id: string): WebhookEndpoint {
    const e = this.get(id);
    if (!e) throw new TouchpointError(ErrorCode.NOT_FOUND, `webhook ${id} does not exist`);
    return e;
  }
}
