import { ErrorCode, bundleReplyMessage, decode, fail, ok, type Result } from '@touchpoint/protocol';
import type { SqlStore } from '../db/sql-store.js';
import type { LiveBus } from './live.js';

/**
 * A device's answer to a support bundle request (issue 17), from ingest: validated, matched to an open
 * request of the same device, stored with its case, and audited as the customer's consent receipt (or
 * refusal). Its size was capped before parsing (record-limits.ts: BUNDLE_MAX_BYTES); an answer to a request
 * the device was not asked, or already answered, is refused with a named code.
 */
export async function storeBundleReply(
  store: SqlStore,
  live: LiveBus,
  deviceId: string,
  payload: Buffer,
  now: number,
): Promise<Result<'stored' | 'duplicate'>> {
  const msg = decode(bundleReplyMessage, payload);
  if (!msg.ok) return msg;
  const m = msg.value;
  if (m.deviceId !== deviceId)
    return fail(ErrorCode.WRONG_DEVICE, `bundle answer for ${m.deviceId} on ${deviceId}'s topic`);
  const seen = await store.first(store.q.selectFrom('case_bundles').select('id').where('reply_msg_id', '=', m.id));
  if (seen) return ok('duplicate');
  const stored = m.outcome === 'sent' ? JSON.stringify(m.bundle) : null;
  const changed = await store.transaction(async (tx) => {
    const n = await tx.run(
      tx.q
        .updateTable('case_bundles')
        .set({
          status: m.outcome === 'sent' ? 'stored' : m.outcome,
          reason: m.outcome === 'failed' ? `${m.code}: ${m.reason}` : null,
          answered_at: now,
          consent_at: m.outcome === 'sent' ? m.consentAt : null,
          size_bytes: stored === null ? null : Buffer.byteLength(stored),
          content: stored,
          reply_msg_id: m.id,
        })
        .where('id', '=', m.requestId)
        .where('device_id', '=', deviceId)
        .where('case_id', '=', m.caseId)
        .where('status', '=', 'requested'),
    );
    if (n === 0) return 0;
    // The customer's answer is a consent receipt (DESIGN.md §3.4): who answered is the device, on their tap.
    await tx.run(
      tx.q.insertInto('audit').values({
        at: now,
        actor: `device:${deviceId}`,
        actor_role: 'device',
        action: `bundle.${m.outcome}`,
        device_id: deviceId,
        target: m.caseId,
        outcome: m.outcome === 'sent' ? 'ok' : m.outcome === 'failed' ? 'failed' : 'refused',
        detail: JSON.stringify({
          bundleId: m.requestId,
          ...(stored !== null ? { sizeBytes: Buffer.byteLength(stored) } : {}),
          ...(m.outcome === 'failed' ? { code: m.code, reason: m.reason } : {}),
        }),
      }),
    );
    return n;
  });
  if (changed === 0)
    return fail(ErrorCode.CONFLICT, `bundle request ${m.requestId} is not open for ${deviceId} on case ${m.caseId}`);
  live.emit('audit', { action: `bundle.${m.outcome}`, actor: `device:${deviceId}`, deviceId });
  return ok('stored');
}
