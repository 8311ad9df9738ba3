import { z } from 'zod';
import { newId, safeId } from '../ids.js';

/** Every payload carries the schema version, a message id and a timestamp (ms since epoch). */
export const SCHEMA_VERSION = 1 as const;

export const messageBase = {
  v: z.literal(SCHEMA_VERSION),
  id: z.string().min(8).max(64),
  ts: z.number().int().nonnegative(),
};

export const deviceIdField = safeId;

/** The three header fields for a new message. */
export function header(now: number = Date.now()): { v: typeof SCHEMA_VERSION; id: string; ts: number } {
  return { v: SCHEMA_VERSION, id: newId(), ts: now };
}

/** Localised text: German and English are required, other languages optional. */
export const localizedText = z.object({ de: z.string().min(1), en: z.string().min(1) }).catchall(z.string().min(1));
export type LocalizedText = z.infer<typeof localizedText>;

/** A sensor reading as it travels: numbers, booleans or short strings. */
export const sensorValue = z.union([z.number(), z.boolean(), z.string().max(256)]);
export type SensorValue = z.infer<typeof sensorValue>;
