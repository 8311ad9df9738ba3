import { newId, proposalReason, type ProposalReason, type ProposalView } from '@touchpoint/protocol';
import type { SqlStore } from '../db/sql-store.js';
import type { Database } from '../db/schema.js';
import type { AuditLog } from '../fleet/audit.js';

/**
 * Proposals with their evidence (issue 18, "anyone involved can propose a change"): staff from a case
 * ("this step confused the customer"), customers from the rating screen ("what was hard?") and makers from
 * the CLI (`touchpoint flows propose`, which carries a proposed version). Evidence = the case, the rating
 * and the step the customer was on (the drop-off step); the studio lists them beside the flow they concern.
 */
export interface NewProposal {
  model: string;
  source: ProposalView['source'];
  /** Staff id, device id (customer) or staff id of the maker's CLI login. */
  author: string;
  flowId?: string | undefined;
  stepId?: string | undefined;
  reasons?: readonly ProposalReason[] | undefined;
  text: string;
  caseId?: string | undefined;
  deviceId?: string | undefined;
  rating?: number | undefined;
  versionId?: string | undefined;
  /** The device message's id (customer proposals), so a redelivered report is stored once. */
  msgId?: string | undefined;
}

type Row = Database['content_proposals'];

const toView = (r: Row): ProposalView => ({
  id: r.id,
  model: r.model,
  source: r.source,
  author: r.author,
  flowId: r.flow_id,
  stepId: r.step_id,
  reasons: (JSON.parse(r.reasons) as unknown[]).flatMap((x) => {
    const parsed = proposalReason.safeParse(x);
    return parsed.success ? [parsed.data] : [];
  }),
  text: r.text,
  caseId: r.case_id,
  deviceId: r.device_id,
  rating: r.rating === null ? null : Number(r.rating),
  versionId: r.version_id,
  status: r.status,
  createdAt: Number(r.created_at),
});

export class ContentProposals {
  constructor(
    private readonly store: SqlStore,
    private readonly audit: Pick<AuditLog, 'record'>,
  ) {}

  /** Stores a proposal; a customer's report seen before (same message id) is not stored again. */
  async add(p: NewProposal, actorRole?: string): Promise<ProposalView | undefined> {
    if (p.msgId) {
      const seen = await this.store.first(
        this.store.q.selectFrom('content_proposals').select('id').where('msg_id', '=', p.msgId),
      );
      if (seen) return undefined;
    }
    const id = newId();
    await this.store.run(
      this.store.q.insertInto('content_proposals').values({
        id,
        model: p.model,
        source: p.source,
        author: p.author,
        flow_id: p.flowId ?? null,
        step_id: p.stepId ?? null,
        reasons: JSON.stringify(p.reasons ?? []),
        text: p.text,
        case_id: p.caseId ?? null,
        device_id: p.deviceId ?? null,
        rating: p.rating ?? null,
        version_id: p.versionId ?? null,
        status: 'open',
        created_at: Date.now(),
        msg_id: p.msgId ?? null,
      }),
    );
    // A customer's report is device data, not a staff action; staff and maker proposals are audited.
    if (p.source !== 'customer')
      await this.audit.record({
        actor: p.author,
        actorRole,
        action: 'content.proposal',
        target: id,
        outcome: 'ok',
        detail: { model: p.model, flowId: p.flowId, stepId: p.stepId, caseId: p.caseId, versionId: p.versionId },
      });
    return this.get(id);
  }

  async get(id: string): Promise<ProposalView | undefined> {
    const row = await this.store.first(this.store.q.selectFrom('content_proposals').selectAll().where('id', '=', id));
    return row ? toView(row) : undefined;
  }

  /** A model's proposals, newest first. */
  async list(model: string, limit = 200): Promise<ProposalView[]> {
    const rows = await this.store.all(
      this.store.q
        .selectFrom('content_proposals')
        .selectAll()
        .where('model', '=', model)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit),
    );
    return rows.map(toView);
  }
}
