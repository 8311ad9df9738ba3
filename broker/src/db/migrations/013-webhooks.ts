/**
 * Issue 17, "Webhooks and one ticketing connector": outgoing webhooks delivered from a durable queue, and the
 * Zammad connector's case↔ticket mapping. Plain SQL, so the PostgreSQL twin is a transcription.
 * - `webhook_endpoints`: an admin's receivers. `secret` is the HMAC key (webhook) or the Zammad API token: both
 *   must be used, not only compared, so they are kept as given (docs/integrations.md#secrets), never logged or
 *   listed. `inbound_secret` is the token Zammad signs its own webhook to us with (HMAC-SHA1).
 * - `webhook_deliveries`: one event for one endpoint, with its state (`pending`, `delivered`, `dead`), the
 *   attempts made and when the next is due. The body is stored as sent, so every attempt and a replay send the
 *   same bytes. A replay is a new row pointing at the one it replays.
 * - `webhook_attempts`: every attempt: status code, duration, error, next attempt.
 * - `zammad_tickets`: which Zammad ticket a case opened; `zammad_articles`: articles the connector wrote or
 *   read, so Zammad's trigger echoing our own article back is not imported as a reply, and a repeat is not
 *   imported twice.
 */
export const sql = /* sql */ `
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  inbound_secret TEXT,
  settings TEXT,
  enabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  secret_rotated_at INTEGER
);

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  replay_of INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, status);

CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_code INTEGER,
  duration_ms INTEGER NOT NULL,
  error TEXT,
  next_attempt_at INTEGER
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id);

CREATE TABLE zammad_tickets (
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  case_id TEXT NOT NULL,
  ticket_id INTEGER NOT NULL,
  ticket_number TEXT,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, case_id)
);
CREATE UNIQUE INDEX zammad_tickets_ticket ON zammad_tickets(endpoint_id, ticket_id);

CREATE TABLE zammad_articles (
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL,
  case_id TEXT NOT NULL,
  direction TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, article_id)
);
`;
