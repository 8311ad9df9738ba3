/**
 * PostgreSQL twin of migrations/017-content-versions.ts (BIGINT for millisecond times).
 *
 * Issue 18, "Help that learns" (broker/src/content/index.ts has the contract, docs/help-lifecycle.md the guide):
 * - `content_versions`: a model's complete help content (flows and images, the signed document's body) with a
 *   number per model, its parent, `status` draft → proposed → approved | rejected, who wrote and who reviewed
 *   it; `baseline` = 1 on the one approved version per model that is live (set when a model is first opened
 *   from its models dir, then by rollouts). `problems`: the validator's count when last saved.
 * - `content_proposals`: a change asked for by staff (from a case), a customer (rating screen) or a maker (CLI),
 *   with its evidence (cases, ratings, drop-off step) and, when it carries content, the version it proposes.
 * - `staff_content_roles`: who may author content (`editor`) and who may review it (`reviewer`).
 */
export const sql = /* sql */ `
CREATE TABLE content_versions (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  number INTEGER NOT NULL,
  parent_id TEXT REFERENCES content_versions(id),
  status TEXT NOT NULL CHECK (status IN ('draft', 'proposed', 'approved', 'rejected')),
  baseline INTEGER NOT NULL DEFAULT 0,
  summary TEXT NOT NULL,
  content TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  problems INTEGER NOT NULL,
  author TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  proposed_at BIGINT,
  reviewer TEXT,
  reviewed_at BIGINT,
  review_note TEXT,
  UNIQUE (model, number)
);
CREATE INDEX content_versions_status ON content_versions(model, status);
CREATE UNIQUE INDEX content_versions_baseline ON content_versions(model) WHERE baseline = 1;

CREATE TABLE content_proposals (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('staff', 'customer', 'maker')),
  author TEXT NOT NULL,
  flow_id TEXT,
  step_id TEXT,
  reasons TEXT NOT NULL,
  text TEXT NOT NULL,
  case_id TEXT,
  device_id TEXT,
  rating INTEGER,
  version_id TEXT REFERENCES content_versions(id),
  status TEXT NOT NULL CHECK (status IN ('open', 'addressed', 'dismissed')),
  created_at BIGINT NOT NULL,
  msg_id TEXT UNIQUE
);
CREATE INDEX content_proposals_model ON content_proposals(model, status, created_at);

CREATE TABLE staff_content_roles (
  staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('editor', 'reviewer')),
  granted_by TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  PRIMARY KEY (staff_id, role)
);
`;
