import { readFileSync } from 'node:fs';
import { deviceProfile, type DeviceProfile } from '@touchpoint/protocol';
import { simConfig, type SimConfig } from '../sim/config.js';

export const fromHex = (text: string): Uint8Array =>
  Uint8Array.from(
    text
      .split(/\s+/)
      .filter(Boolean)
      .map((b) => parseInt(b, 16)),
  );

export function model(name: 'coffee-machine' | 'wallbox'): { profile: DeviceProfile; config: SimConfig } {
  const root = new URL(`../../examples/${name}/`, import.meta.url);
  return {
    profile: deviceProfile.parse(JSON.parse(readFileSync(new URL('profile.json', root), 'utf8'))),
    config: simConfig.parse(JSON.parse(readFileSync(new URL('mcu-sim.json', root), 'utf8'))),
  };
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
