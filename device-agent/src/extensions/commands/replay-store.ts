import type { Statement } from 'better-sqlite3';
import { readMeta, writeMeta, type AgentDatabase } from '../../store/database.js';
import type { KeyStateStore } from './key-trust.js';

/** Where a command got to. `claimed` and `accepted` left over after a restart mean it was interrupted. */
export type SeenStatus = 'claimed' | 'accepted' | 'rejected' | 'succeeded' | 'failed' | 'expired';

export interface SeenCommand {
  commandId: string;
  action: string;
  status: SeenStatus;
  reason: string | null;
  seenAt: number;
}

interface Row {
  command_id: string;
  action: string;
  status: SeenStatus;
  reason: string | null;
  seen_at: number;
}

const KEY_STATE = 'command_keys';

const toSeen = (row: Row): SeenCommand => ({
  commandId: row.command_id,
  action: row.action,
  status: row.status,
  reason: row.reason,
  seenAt: row.seen_at,
});

/**
 * Command ids this device has seen, in SQLite so a replay is caught after a
 * restart too. An id is claimed only once its signature, device and expiry
 * checked out, so a forged message cannot burn a real command's id. A row can
 * go once its command has expired (plus skew): expiry, checked first, rejects
 * it from then on.
 */
export class ReplayStore implements KeyStateStore {
  private readonly claimStmt: Statement<[string, string, number, number, number]>;
  private readonly getStmt: Statement<[string], Row>;
  private readonly updateStmt: Statement<[string, string | null, number, string]>;

  constructor(private readonly db: AgentDatabase) {
    this.claimStmt = db.prepare(
      `INSERT INTO seen_commands (command_id, action, expires_at, status, seen_at, updated_at) VALUES (?, ?, ?, 'claimed', ?, ?) ON CONFLICT(command_id) DO NOTHING`,
    );
    this.getStmt = db.prepare(
      'SELECT command_id, action, status, reason, seen_at FROM seen_commands WHERE command_id = ?',
    );
    this.updateStmt = db.prepare(
      'UPDATE seen_commands SET status = ?, reason = ?, updated_at = ? WHERE command_id = ?',
    );
  }

  /** Record the id; false when it was already there (a replay). Committed before the command's PUBACK. */
  claim(commandId: string, action: string, expiresAt: number, now: number): boolean {
    return this.claimStmt.run(commandId, action, expiresAt, now, now).changes === 1;
  }

  get(commandId: string): SeenCommand | undefined {
    const row = this.getStmt.get(commandId);
    return row && toSeen(row);
  }

  update(commandId: string, status: SeenStatus, reason: string | null, now: number): void {
    this.updateStmt.run(status, reason, now, commandId);
  }

  /** Commands a previous run claimed or accepted but never finished. */
  unfinished(): SeenCommand[] {
    return (
      this.db
        .prepare(
          `SELECT command_id, action, status, reason, seen_at FROM seen_commands WHERE status IN ('claimed', 'accepted') ORDER BY seen_at`,
        )
        .all() as Row[]
    ).map(toSeen);
  }

  /**
   * The accepted signed key list (issue 12 #10), next to the seen ids and with
   * the same synchronous=FULL commit: a power cut must not roll it back to a
   * list that still trusts a dropped key.
   */
  loadKeyState(): string | undefined {
    return readMeta(this.db, KEY_STATE);
  }

  saveKeyState(json: string): void {
    writeMeta(this.db, KEY_STATE, json);
  }

  /** Forget ids whose command can no longer pass the expiry check. */
  prune(now: number, skewMs: number): number {
    return this.db.prepare('DELETE FROM seen_commands WHERE expires_at + ? < ?').run(skewMs, now).changes;
  }
}
