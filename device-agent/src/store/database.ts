import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type AgentDatabase = Database.Database;

/**
 * Ordered schema migrations; `PRAGMA user_version` records how many ran.
 * Append only: a shipped migration never changes.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE outbox (
     seq        INTEGER PRIMARY KEY AUTOINCREMENT,
     kind       TEXT    NOT NULL,
     topic      TEXT    NOT NULL,
     message_id TEXT    NOT NULL,
     payload    BLOB    NOT NULL,
     bytes      INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX outbox_kind_seq ON outbox (kind, seq);
   CREATE TABLE seen_commands (
     command_id TEXT    PRIMARY KEY,
     action     TEXT    NOT NULL,
     expires_at INTEGER NOT NULL,
     status     TEXT    NOT NULL,
     reason     TEXT,
     seen_at    INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX seen_commands_expires_at ON seen_commands (expires_at);
   CREATE TABLE meta (
     key   TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
  // Receipts name reports by message id (issue 15): the outbox deletes by it.
  `CREATE INDEX outbox_message_id ON outbox (message_id);`,
];

/**
 * Open (and migrate) the agent's database in dataDir. WAL keeps readers off the
 * writer's back; synchronous=FULL because a seen command id lost to a power cut
 * would let that command replay.
 */
export function openAgentDatabase(dataDir: string): AgentDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'agent.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 2000');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}

/** A persisted counter or setting. */
export function readMeta(db: AgentDatabase, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeMeta(db: AgentDatabase, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}
