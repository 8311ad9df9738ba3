import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decode, deviceProfile, describeIssues, type DeviceProfile } from '@touchpoint/protocol';
import { simConfig, type SimConfig } from './config.js';

/** Loads `<dir>/profile.json` and `<dir>/mcu-sim.json`; errors name the file and the bad field. */
export async function loadModel(dir: string): Promise<{ profile: DeviceProfile; config: SimConfig }> {
  const profile = decode(deviceProfile, await readText(join(dir, 'profile.json')));
  if (!profile.ok) throw new Error(`${join(dir, 'profile.json')}: ${profile.reason}`);
  const raw = await readText(join(dir, 'mcu-sim.json'));
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new Error(`${join(dir, 'mcu-sim.json')}: ${(err as Error).message}`);
  }
  const config = simConfig.safeParse(json);
  if (!config.success) throw new Error(`${join(dir, 'mcu-sim.json')}: ${describeIssues(config.error)}`);
  return { profile: profile.value, config: config.data };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}
