/** PostgreSQL twin of migrations/008-case-request-time.ts. */
export const sql = /* sql */ `
ALTER TABLE cases ADD COLUMN received_at BIGINT;
UPDATE cases SET received_at = opened_at;
`;
