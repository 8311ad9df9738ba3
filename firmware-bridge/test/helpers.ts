import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODELS_DIR, formatModelProblem, loadModel } from '@touchpoint/models';
import type { DeviceProfile } from '@touchpoint/protocol';
import { simConfig, type SimConfig } from '../sim/config.js';

export const fromHex = (text: string): Uint8Array =>
  Uint8Array.from(
    text
      .split(/\s+/)
      .filter(Boolean)
      .map((b) => parseInt(b, 16)),
  );

/** A bundled model's profile and simulator config, read by the one model reader (issue 14); synchronous for setup code. */
export function model(name: 'coffee-machine' | 'wallbox'): { profile: DeviceProfile; config: SimConfig } {
  const loaded = loadModel(join(DEFAULT_MODELS_DIR, name), { flows: false });
  const problem = loaded.problems[0];
  if (problem || !loaded.profile) throw new Error(problem ? formatModelProblem(problem) : `${name}: no profile`);
  return { profile: loaded.profile, config: simConfig.parse(loaded.simulator?.json) };
}

export interface Vectors {
  crc: { ascii: string; value: number };
  valid: Array<{
    name: string;
    kind: number;
    seq: number;
    command: number;
    status: number;
    records: Array<[string, string | number | boolean]>;
    body: string;
    raw: string;
    wire: string;
  }>;
  invalid: Array<{ name: string; raw: string; error: string }>;
}
export const vectors = JSON.parse(readFileSync(new URL('./vectors/frames.json', import.meta.url), 'utf8')) as Vectors;

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** mulberry32: a small seeded generator, so every run sees the same faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
