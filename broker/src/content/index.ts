/**
 * Help content versions (issue 18, "Help that learns"; docs/help-lifecycle.md).
 *
 * The contract other modules build on (rollouts included):
 * - A content version is a model's COMPLETE help content: every flow file and the images they show, the
 *   body of a help content document (`ContentBody`, protocol/src/content-signing.ts). It has a number per
 *   model (1, 2, 3... in the order started), the version it was started from (`parentId`), its author and,
 *   once decided, its reviewer, with timestamps for each step.
 * - Status: draft → proposed → approved | rejected (version-status.ts). Only the author edits and proposes a
 *   draft; a proposal must pass the protocol flow validator against the model's profile (no problems); a
 *   second person, never the author, approves or rejects it (four eyes). Approved and rejected are final.
 * - Baseline: at most one approved version per model is live on its devices (`baseline`). A model's first
 *   version is imported from its models dir, approved and live (`importBaseline`); rollouts move the
 *   baseline with `setBaseline` once a version has reached the fleet.
 * - `latestApproved(model)` is the newest approved version; `get(id)` any version with its body.
 * - `signContentVersion(version, key)` signs an approved version with the maker's content key exactly as
 *   `touchpoint content pack` does, giving the bytes and SHA-256 `help.install` carries; a device checks it
 *   with the content keys it already trusts. Drafts and proposals are never signed.
 * - Every change is audited (`content.*` actions, target = version id) by ContentVersions itself.
 * - Stored in SQLite or PostgreSQL through the async store layer (migration 017).
 */
export { checkContent, contentBody, contentSha256, CONTENT_BODY_MAX_BYTES, type ContentBody } from './content-body.js';
export { contentFromModel } from './from-model.js';
export { ContentProposals, type NewProposal } from './proposals.js';
export { ContentRoles, contentRole, type ContentRole } from './content-roles.js';
export { signContentVersion, type SignedContentDocument } from './sign-version.js';
export {
  CONTENT_STATUSES,
  checkActor,
  nextStatus,
  type ContentStatus,
  type ContentTransition,
} from './version-status.js';
export { ContentVersions, type ContentActor, type ContentVersion, type ContentVersionInfo } from './versions.js';
