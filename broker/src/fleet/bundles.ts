import {
  BUNDLE_CONSENT_WAIT_MS,
  BUNDLE_DEFAULT_RANGE_MS,
  BUNDLE_MAX_RANGE_MS,
  ErrorCode,
  TouchpointError,
  bundleContent,
  bundleRequestMessage,
  deviceTopic,
  header,
  newId,
  type BundleContent,
  type BundleStatus,
} from '@touchpoint/protocol';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import type { AuditLog } from './audit.js';
import type { Publish } from './commands.js';
import type { LiveBus } from './live.js';
import type { StaffMember } from './staff.js';

export interface BundleRecord {
  id: string;
  caseId: string;
  deviceId: string;
  requestedBy: string;
  requestedAt: number;
  from: number;
  to: number;
  expiresAt: number;
  status: BundleStatus;
  reason: string | null;
  answeredAt: number | null;
  sizeBytes: number | null;
}

interface RawBundle {
  id: string;
  case_id: string;
  device_id: string;
  requested_by: string;
  requested_at: number;
  range_from: number;
  range_to: number;
  expires_at: number;
  status: string;
  reason: string | null;
  answered_at: number | null;
  consent_at: number | null;
  size_bytes: number | null;
  content: string | null;
}

/**
 * A device that never answers (offline past the wait) has its request shown as expired: the device expires
 * it itself when it comes back (it checks `expiresAt`), this grace covers the answer's way up.
 */
const ANSWER_GRACE_MS = 60_000;

/**
 * Support bundles (issue 17): staff request one for a case's device, the device asks the customer, and the
 * answer comes back through ingest (bundle-ingest.ts). Requests, downloads and refusals are audited.
 */
export class SupportBundles {
  private readonly sql: Prepare;
  constructor(
    db: Db,
    private readonly audit: AuditLog,
    private readonly live: LiveBus,
    private readonly publish: Publish,
  ) {
    this.sql = statementCache(db);
  }

  /** Sends a request to the case's device; `from`/`to` default to the last 24 h and span at most 7 days. */
  async request(
    c: { id: string; deviceId: string },
    staff: StaffMember,
    range: { from?: number | undefined; to?: number | undefined },
    now: number = Date.now(),
  ): Promise<BundleRecord> {
    if (staff.role !== 'agent' && staff.role !== 'admin')
      throw new TouchpointError(ErrorCode.FORBIDDEN_ROLE, `role ${staff.role} may not request a support bundle`);
    const to = Math.min(range.to ?? now, now);
    const from = range.from ?? to - BUNDLE_DEFAULT_RANGE_MS;
    if (!(from < to) || to - from > BUNDLE_MAX_RANGE_MS)
      throw new TouchpointError(
        ErrorCode.SCHEMA_INVALID,
        'from must be before to (and not in the future), at most 7 days',
      );
    const id = newId();
    const expiresAt = now + BUNDLE_CONSENT_WAIT_MS;
    const message = bundleRequestMessage.parse({
      ...header(now),
      requestId: id,
      caseId: c.id,
      from,
      to,
      expiresAt,
      requestedBy: { name: staff.displayName.slice(0, 64), role: staff.role },
    });
    this.sql(
      `INSERT INTO case_bundles (id, case_id, device_id, requested_by, requested_at, range_from, range_to, expires_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'requested')`,
    ).run(id, c.id, c.deviceId, staff.id, now, from, to, expiresAt);
    await this.audit.record({
      actor: staff.id,
      actorRole: staff.role,
      action: 'bundle.request',
      deviceId: c.deviceId,
      target: c.id,
      outcome: 'ok',
      detail: { bundleId: id, from, to },
    });
    this.live.emit('audit', { action: 'bundle.request', actor: staff.id, deviceId: c.deviceId });
    // QoS 1, not retained: a device offline now gets it from its persistent session, and expires it if late.
    await this.publish(deviceTopic(c.deviceId, 'bundleRequest'), JSON.stringify(message), { qos: 1, retain: false });
    return this.get(c.id, id, now)!;
  }

  /** The case's requests, newest first. */
  list(caseId: string, now: number = Date.now()): BundleRecord[] {
    const rows = this.sql(
      'SELECT * FROM case_bundles WHERE case_id = ? ORDER BY requested_at DESC, rowid DESC LIMIT 100',
    ).all(caseId) as RawBundle[];
    return rows.map((r) => record(r, now));
  }

  get(caseId: string, id: string, now: number = Date.now()): BundleRecord | undefined {
    const r = this.sql('SELECT * FROM case_bundles WHERE case_id = ? AND id = ?').get(caseId, id) as
      RawBundle | undefined;
    return r ? record(r, now) : undefined;
  }

  /** The stored bundle, as the customer agreed to send it; NOT_FOUND unless the customer sent one. */
  content(caseId: string, id: string): { record: BundleRecord; consentAt: number; bundle: BundleContent } {
    const r = this.sql('SELECT * FROM case_bundles WHERE case_id = ? AND id = ?').get(caseId, id) as
      RawBundle | undefined;
    if (!r || r.status !== 'stored' || r.content === null || r.consent_at === null)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${caseId} has no stored bundle ${id}`);
    return {
      record: record(r, Date.now()),
      consentAt: r.consent_at,
      bundle: bundleContent.parse(JSON.parse(r.content)),
    };
  }
}

function record(r: RawBundle, now: number): BundleRecord {
  const late = r.status === 'requested' && now > r.expires_at + ANSWER_GRACE_MS;
  return {
    id: r.id,
    caseId: r.case_id,
    deviceId: r.device_id,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    from: r.range_from,
    to: r.range_to,
    expiresAt: r.expires_at,
    status: late ? 'expired' : (r.status as BundleStatus),
    reason: late ? 'the device did not answer in time' : r.reason,
    answeredAt: r.answered_at,
    sizeBytes: r.size_bytes,
  };
}
