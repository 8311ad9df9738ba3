/** PostgreSQL twin of migrations/007-ces-scale.ts: a decision recorded with the schema, no change. */
export const sql = `SELECT 1;`;
