import { ErrorCode, TouchpointError } from '@touchpoint/protocol';

/**
 * The review state machine of a content version (issue 18, "nothing edited goes live without review"):
 *
 *   draft --propose--> proposed --approve--> approved
 *     ^                    |
 *     +------ (edit) ------+--reject--> rejected
 *
 * Only a draft is edited; a proposed version is frozen so the reviewer approves exactly what they read.
 * Approved and rejected are final: a further change is a new draft whose parent is the version it starts from.
 */
export const CONTENT_STATUSES = ['draft', 'proposed', 'approved', 'rejected'] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

export type ContentTransition = 'edit' | 'propose' | 'approve' | 'reject';

const FROM: Record<ContentTransition, ContentStatus> = {
  edit: 'draft',
  propose: 'draft',
  approve: 'proposed',
  reject: 'proposed',
};

const TO: Record<ContentTransition, ContentStatus> = {
  edit: 'draft',
  propose: 'proposed',
  approve: 'approved',
  reject: 'rejected',
};

/** The status after `transition`, or CONFLICT when the version is not in the status the transition starts from. */
export function nextStatus(current: ContentStatus, transition: ContentTransition): ContentStatus {
  if (current !== FROM[transition])
    throw new TouchpointError(
      ErrorCode.CONFLICT,
      `a ${current} version cannot be ${transition === 'edit' ? 'edited' : `${transition}d`} (only a ${FROM[transition]} one)`,
    );
  return TO[transition];
}

/**
 * Four eyes (issue 18, "the approver cannot be the author"): only a draft's author edits or proposes it
 * (another editor starts a draft of their own), and only someone else approves or rejects it, so every
 * decision on content is made by two people. Roles (editor, reviewer) are checked by the caller.
 */
export function checkActor(transition: ContentTransition, author: string, actor: string): void {
  const own = author === actor;
  if ((transition === 'edit' || transition === 'propose') && !own)
    throw new TouchpointError(ErrorCode.FORBIDDEN_ROLE, `only the author of a draft may ${transition} it`);
  if ((transition === 'approve' || transition === 'reject') && own)
    throw new TouchpointError(
      ErrorCode.FORBIDDEN_ROLE,
      `the author of a version cannot ${transition} it: a second person reviews (four eyes)`,
    );
}
