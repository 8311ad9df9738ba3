import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/** The demo's provisioned devices and their tokens, so a second start reuses them (file mode 0600). */
const demoDevices = z.array(z.object({ deviceId: z.string(), model: z.string(), token: z.string() }));
export type DemoDevice = z.infer<typeof demoDevices>[number];

export function demoDevicesPath(dataDir: string): string {
  return join(dataDir, 'demo', 'devices.json');
}

export function loadDemoDevices(dataDir: string): DemoDevice[] {
  const path = demoDevicesPath(dataDir);
  if (!existsSync(path)) return [];
  const parsed = demoDevices.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : [];
}

export function saveDemoDevices(dataDir: string, devices: DemoDevice[]): void {
  const path = demoDevicesPath(dataDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(devices, null, 2), { mode: 0o600 });
}

/** Which models the fleet gets: alternate coffee machines and wallboxes, then any extra models asked for. */
export function planFleet(count: number, extraModels: readonly string[]): { deviceId: string; model: string }[] {
  const base = ['coffee-machine', 'wallbox'];
  const plan: { deviceId: string; model: string }[] = [];
  const perModel = new Map<string, number>();
  const add = (model: string) => {
    const n = (perModel.get(model) ?? 0) + 1;
    perModel.set(model, n);
    plan.push({ deviceId: `${model}-${String(n).padStart(2, '0')}`, model });
  };
  for (let i = 0; i < count; i++) add(base[i % base.length]!);
  for (const model of extraModels) add(model);
  return plan;
}
