import type { CallOutcome, CallParty, IceServerConfig, VideoSessionView } from '@touchpoint/protocol';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import type { StaffMember } from '../fleet/staff.js';
import { VideoSession } from './session.js';

interface Row {
  id: string;
  device_id: string;
  case_id: string | null;
  staff: string;
  staff_session: string;
  requested_at: number;
  expires_at: number;
  ice_servers: string;
  origin: string | null;
  device_camera: number;
  status: VideoSessionView['status'];
  peer: VideoSessionView['peer'];
  connected_at: number | null;
  ended_at: number | null;
  ended_by: CallParty | null;
  outcome: CallOutcome | null;
  down_seq: number;
  up_seq_device: number;
  up_seq_phone: number;
  phone_key_hash: string | null;
  links_issued: number;
}

/**
 * The calls, in the database (`video_sessions`, migration 011; issue 15: "video sessions live in the
 * database, not in one process's memory"). A call outlives the process that started it: after a
 * restart, or in another process on the same database, `get` finds it with its status, peer, sequence
 * numbers, phone binding and links issued.
 *
 * What cannot be shared stays with the `VideoSession` object this process holds: the event streams it
 * serves, their backlog for Last-Event-ID, and the ring timer. `get` refreshes that object from the
 * row, so it is never staler than the database; every change is written back with `save`.
 */
export class VideoSessions {
  private readonly sql: Prepare;
  private readonly held = new Map<string, VideoSession>();

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(id: string): VideoSession | undefined {
    const row = this.sql('SELECT * FROM video_sessions WHERE id = ?').get(id) as Row | undefined;
    if (!row) {
      this.held.delete(id);
      return undefined;
    }
    const held = this.held.get(id);
    if (held) return refresh(held, row);
    const session = refresh(
      new VideoSession(
        row.id,
        row.device_id,
        row.case_id,
        JSON.parse(row.staff) as StaffMember,
        row.requested_at,
        row.expires_at,
        JSON.parse(row.ice_servers) as IceServerConfig[],
        row.origin,
        row.staff_session,
        row.device_camera === 1,
      ),
      row,
    );
    this.held.set(id, session);
    return session;
  }

  /** A new call. */
  add(session: VideoSession): void {
    this.sql(
      `INSERT INTO video_sessions (id, device_id, case_id, staff, staff_session, requested_at, expires_at, ice_servers, origin,
        device_camera, status, peer, connected_at, ended_at, ended_by, outcome, down_seq, up_seq_device, up_seq_phone,
        phone_key_hash, links_issued)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      session.id,
      session.deviceId,
      session.caseId,
      JSON.stringify(session.staff),
      session.staffSession,
      session.requestedAt,
      session.expiresAt,
      JSON.stringify(session.iceServers),
      session.origin,
      ...changing(session),
    );
    this.held.set(session.id, session);
  }

  /** Writes what a call's change touched. */
  save(session: VideoSession): void {
    this.sql(
      `UPDATE video_sessions SET device_camera = ?, status = ?, peer = ?, connected_at = ?, ended_at = ?, ended_by = ?,
        outcome = ?, down_seq = ?, up_seq_device = ?, up_seq_phone = ?, phone_key_hash = ?, links_issued = ? WHERE id = ?`,
    ).run(...changing(session), session.id);
  }

  /** Calls still running (ringing, accepted, connected), from the database. */
  active(deviceId?: string): VideoSession[] {
    const ids = (
      deviceId === undefined
        ? this.sql("SELECT id FROM video_sessions WHERE status != 'ended'").pluck().all()
        : this.sql("SELECT id FROM video_sessions WHERE status != 'ended' AND device_id = ?").pluck().all(deviceId)
    ) as string[];
    return ids.map((id) => this.get(id)).filter((s): s is VideoSession => s?.active === true);
  }

  /** The sessions this process holds (its streams and timers), running or ended. */
  heldHere(): VideoSession[] {
    return [...this.held.values()];
  }

  /** Forgets ended calls beyond the newest `keep`, as the console reads back only recent ones. */
  forgetEnded(keep: number): void {
    const gone = this.sql(
      "SELECT id FROM video_sessions WHERE status = 'ended' ORDER BY ended_at DESC, rowid DESC LIMIT -1 OFFSET ?",
    )
      .pluck()
      .all(keep) as string[];
    for (const id of gone) {
      this.sql('DELETE FROM video_sessions WHERE id = ?').run(id);
      this.held.delete(id);
    }
  }
}

function refresh(session: VideoSession, row: Row): VideoSession {
  session.deviceCamera = row.device_camera === 1;
  session.status = row.status;
  session.peer = row.peer;
  session.connectedAt = row.connected_at;
  session.endedAt = row.ended_at;
  session.endedBy = row.ended_by;
  session.outcome = row.outcome;
  session.downSeq = row.down_seq;
  session.upSeq.device = row.up_seq_device;
  session.upSeq.phone = row.up_seq_phone;
  session.phoneKeyHash = row.phone_key_hash;
  session.linksIssued = row.links_issued;
  return session;
}

/** The columns a call's changes touch (device_camera … links_issued), in the order add and save write them. */
function changing(session: VideoSession): (string | number | null)[] {
  return [
    session.deviceCamera ? 1 : 0,
    session.status,
    session.peer,
    session.connectedAt,
    session.endedAt,
    session.endedBy,
    session.outcome,
    session.downSeq,
    session.upSeq.device,
    session.upSeq.phone,
    session.phoneKeyHash,
    session.linksIssued,
  ];
}
