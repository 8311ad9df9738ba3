import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { z } from 'zod';
import type { SqlStore } from '../db/sql-store.js';
import type { AuditLog } from '../fleet/audit.js';
import type { StaffMember } from '../fleet/staff.js';

/**
 * Roles for help content (issue 18), granted per staff member beside the account role: an `editor` starts
 * and proposes versions, a `reviewer` approves or rejects them. They add to the account role (an editor
 * still needs to be at least an agent, a viewer only reads) and are granted by an admin; admins hold
 * neither by default, so review is a decision someone was asked to make.
 */
export const contentRole = z.enum(['editor', 'reviewer']);
export type ContentRole = z.infer<typeof contentRole>;

export class ContentRoles {
  constructor(
    private readonly store: SqlStore,
    private readonly audit: Pick<AuditLog, 'record'>,
  ) {}

  async of(staffId: string): Promise<ContentRole[]> {
    const rows = await this.store.all(
      this.store.q.selectFrom('staff_content_roles').select('role').where('staff_id', '=', staffId).orderBy('role'),
    );
    return rows.map((r) => r.role);
  }

  /** Refuses (FORBIDDEN_ROLE, audited by the caller's route) unless `member` holds `role` and is at least an agent. */
  async require(member: StaffMember, role: ContentRole): Promise<void> {
    if (member.role === 'viewer' || !(await this.of(member.id)).includes(role))
      throw new TouchpointError(
        ErrorCode.FORBIDDEN_ROLE,
        `${member.name} is not a help content ${role} (an admin grants it in Staff)`,
      );
  }

  async set(staffId: string, roles: readonly ContentRole[], by: StaffMember): Promise<ContentRole[]> {
    const before = await this.of(staffId);
    const now = Date.now();
    await this.store.transaction(async (tx) => {
      await tx.run(tx.q.deleteFrom('staff_content_roles').where('staff_id', '=', staffId));
      for (const role of new Set(roles))
        await tx.run(
          tx.q
            .insertInto('staff_content_roles')
            .values({ staff_id: staffId, role, granted_by: by.id, granted_at: now }),
        );
    });
    const after = await this.of(staffId);
    await this.audit.record({
      actor: by.id,
      actorRole: by.role,
      action: 'staff.content-roles',
      target: staffId,
      outcome: 'ok',
      detail: { before, after },
    });
    return after;
  }
}
