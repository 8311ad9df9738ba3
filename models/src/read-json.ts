import { readFileSync } from 'node:fs';

export type JsonRead = { ok: true; json: unknown } | { ok: false; message: string };

/** Reads and parses one JSON file; a missing or malformed file is a value, never a throw. */
export function readJson(file: string): JsonRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, message: `cannot be read: ${(err as Error).message}` };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `is not JSON: ${(err as Error).message}` };
  }
}
