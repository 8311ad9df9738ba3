/**
 * Issue 17, "Live chat": the messages of a case's chat, both ways (docs/console.md#live-chat).
 * - `id`: the message id (the device's or the fleet's), unique, so a redelivered message is stored once.
 * - `seq`: the order the fleet stored them in; the device's outbox sends in order, so it is the customer's order.
 * - `sender`: `customer` or `staff` (then `staff_id`); `kind` and `body`: the message as validated (JSON).
 * - `answer_choice`/`answered_at`: the customer's tap on a staff message's button; `read_at`: the other side read it.
 * Rows go with their case.
 */
export const sql = /* sql */ `
CREATE TABLE case_chat (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  staff_id TEXT,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  expires_at INTEGER,
  answer_choice TEXT,
  answered_at INTEGER,
  read_at INTEGER
);
CREATE INDEX case_chat_case ON case_chat(case_id, seq);
`;
