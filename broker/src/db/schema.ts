import type { Generated } from 'kysely';

/**
 * The fleet database as the migrations leave it (SQLite: broker/src/db/migrations, PostgreSQL:
 * broker/src/db/pg-migrations, the same numbers), typed for Kysely so each query is written once for
 * both dialects (issue 15). Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL,
 * read back as numbers); flags are 0/1 integers in both; `Generated` marks a column with a default
 * or an identity. test/store/migrations.test.ts checks that both sets end with these tables and columns.
 */
export interface Database {
  schema_migrations: { version: number; name: string; applied_at: number };
  devices: {
    id: string;
    model: string;
    token_hash: Buffer;
    tags: Generated<string>;
    created_at: number;
    online: Generated<number>;
    connection_id: string | null;
    last_seen: number | null;
    agent_version: string | null;
    firmware_version: string | null;
    profile_version: string | null;
    errors: Generated<string>;
    link: string | null;
    last_diagnostics_at: number | null;
  };
  presence_history: {
    id: Generated<number>;
    msg_id: string | null;
    device_id: string;
    state: string;
    connection_id: string | null;
    at: number;
  };
  diagnostics: { msg_id: string; device_id: string; ts: number; received_at: number; reason: string; body: string };
  events: {
    msg_id: string;
    device_id: string;
    ts: number;
    received_at: number;
    type: string;
    session_id: string | null;
    body: string;
  };
  help_sessions: {
    id: string;
    device_id: string;
    flow_id: string;
    started_at: number;
    updated_at: number;
    current_step: string | null;
    outcome: string | null;
    ces: number | null;
    helped: number | null;
    ms_total: number | null;
    resolution: string | null;
  };
  cases: {
    id: string;
    msg_id: string;
    device_id: string;
    opened_at: number;
    reason: string;
    flow_id: string | null;
    session_id: string | null;
    locale: string | null;
    status: Generated<string>;
    assignee: string | null;
    claimed_at: number | null;
    resolved_at: number | null;
    trace: string;
    diagnostics: string | null;
    received_at: number | null;
    resolved_by: string | null;
  };
  case_notes: { id: Generated<number>; case_id: string; staff_id: string; at: number; text: string };
  case_error_codes: { code: string; case_id: string };
  commands: {
    id: string;
    device_id: string;
    action: string;
    params: string;
    issued_by: string;
    issued_at: number;
    expires_at: number;
    status: string;
    updated_at: number;
    envelope: string;
  };
  command_status: {
    id: Generated<number>;
    command_id: string;
    msg_id: string | null;
    status: string;
    code: string | null;
    reason: string | null;
    at: number;
  };
  staff: {
    id: string;
    name: string;
    display_name: string;
    role: 'viewer' | 'agent' | 'admin';
    password_hash: string;
    created_at: number;
    disabled: Generated<number>;
    must_change_password: Generated<number>;
  };
  staff_sessions: { token_hash: Buffer; staff_id: string; csrf_token: string; created_at: number; expires_at: number };
  audit: {
    id: Generated<number>;
    at: number;
    actor: string;
    actor_role: string | null;
    action: string;
    device_id: string | null;
    target: string | null;
    outcome: string;
    detail: string | null;
  };
  rejected_messages: {
    id: Generated<number>;
    at: number;
    client_id: string | null;
    topic: string;
    code: string;
    reason: string;
    payload_preview: string | null;
  };
  login_locks: {
    name_hash: string;
    ip: string;
    failures: number;
    window_start: number;
    strikes: Generated<number>;
    locked_until: Generated<number>;
    updated_at: number;
  };
  auth_secrets: { name: string; value: Buffer };
  integrations: {
    name: string;
    token_hash: Buffer;
    rights: string;
    builtin: Generated<number>;
    created_at: number;
    created_by: string;
    rotated_at: number | null;
    revoked_at: number | null;
  };
  video_sessions: {
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
    status: string;
    peer: string | null;
    connected_at: number | null;
    ended_at: number | null;
    ended_by: string | null;
    outcome: string | null;
    down_seq: number;
    up_seq_device: number;
    up_seq_phone: number;
    phone_key_hash: string | null;
    links_issued: number;
  };
  video_handoff_tokens: {
    token_hash: string;
    session_id: string;
    device_id: string;
    expires_at: number;
    used_at: number | null;
    revoked_at: number | null;
  };
  login_ip_failures: { ip: string; at: number };
  /** Support bundle requests and the bundles customers sent (migration 014, issue 17). */
  case_bundles: {
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
    reply_msg_id: string | null;
  };
  /** A model's help content versions (migration 017, issue 18; broker/src/content). */
  content_versions: {
    id: string;
    model: string;
    number: number;
    parent_id: string | null;
    status: 'draft' | 'proposed' | 'approved' | 'rejected';
    baseline: Generated<number>;
    summary: string;
    content: string;
    content_sha256: string;
    problems: number;
    author: string;
    created_at: number;
    updated_at: number;
    proposed_at: number | null;
    reviewer: string | null;
    reviewed_at: number | null;
    review_note: string | null;
  };
  /** Changes asked for by staff, customers and makers, with their evidence (migration 017, issue 18). */
  content_proposals: {
    id: string;
    model: string;
    source: 'staff' | 'customer' | 'maker';
    author: string;
    flow_id: string | null;
    step_id: string | null;
    reasons: string;
    text: string;
    case_id: string | null;
    device_id: string | null;
    rating: number | null;
    version_id: string | null;
    status: 'open' | 'addressed' | 'dismissed';
    created_at: number;
    msg_id: string | null;
  };
  /** A customer's phone acting for a device's help (migration 016, issue 17). */
  phone_access: {
    id: string;
    device_id: string;
    token_hash: string;
    link_expires_at: number;
    key_hash: string | null;
    claimed_at: number | null;
    expires_at: number;
    ended_at: number | null;
    ended_by: string | null;
    seq: Generated<number>;
    created_at: number;
  };
  /** Who may author (`editor`) and review (`reviewer`) help content (migration 017, issue 18). */
  staff_content_roles: { staff_id: string; role: 'editor' | 'reviewer'; granted_by: string; granted_at: number };
  /** A case's chat, both ways (migration 015, issue 17 "Live chat"; broker/src/chat). */
  case_chat: {
    seq: Generated<number>;
    id: string;
    case_id: string;
    device_id: string;
    sender: 'customer' | 'staff';
    staff_id: string | null;
    kind: string;
    body: string;
    sent_at: number;
    received_at: number;
    expires_at: number | null;
    answer_choice: string | null;
    answered_at: number | null;
    read_at: number | null;
  };
  /** Staged rollouts of approved content versions (migration 018, issue 18). */
  rollouts: {
    id: string;
    model: string;
    version_id: string;
    version_number: number;
    sha256: string;
    url: string;
    cohort: string;
    thresholds: string;
    waves: number;
    wave: number;
    wave_started_at: number;
    status: string;
    verdict: string | null;
    reason: string | null;
    created_by: string;
    created_at: number;
    updated_at: number;
  };
  /** Each eligible device's arm in a rollout (migration 018). */
  rollout_devices: {
    rollout_id: string;
    device_id: string;
    arm: string;
    wave: number;
    previous_sha256: string | null;
    previous_url: string | null;
    assigned_at: number | null;
    installed_at: number | null;
  };
  /** The help content a device should run and the one it reports (migration 018). */
  device_content: {
    device_id: string;
    desired_sha256: string | null;
    desired_url: string | null;
    rollout_id: string | null;
    command_id: string | null;
    reported_sha256: string | null;
    reported_at: number | null;
    updated_at: number;
  };
  /** Fleet-wide fixes: one action to every device matching a query, in waves (migration 018). */
  fleet_fixes: {
    id: string;
    action: string;
    params: string;
    query: string;
    waves: number;
    wave: number;
    max_failure_permille: number;
    status: string;
    reason: string | null;
    created_by: string;
    created_at: number;
    updated_at: number;
  };
  fleet_fix_devices: {
    fix_id: string;
    device_id: string;
    wave: number;
    command_id: string | null;
    status: string;
    reason: string | null;
    updated_at: number;
  };
}
