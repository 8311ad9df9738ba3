/** PostgreSQL twin of migrations/009-session-resolution.ts. */
export const sql = `ALTER TABLE help_sessions ADD COLUMN resolution TEXT;`;
