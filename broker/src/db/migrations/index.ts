import { sql as initial } from './001-initial.js';

/** Numbered schema migrations, applied in order on start. Never edit one that has shipped; add the next number. */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: 'initial', sql: initial },
];
