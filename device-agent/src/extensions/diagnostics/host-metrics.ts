import { statfs } from 'node:fs/promises';
import { freemem, loadavg, networkInterfaces, totalmem, uptime } from 'node:os';
import type { HostMetrics } from '@touchpoint/protocol';

const MAX_INTERFACES = 32;

/** Host metrics for a diagnostics snapshot. Disk figures are for the filesystem holding the data dir. */
export async function collectHostMetrics(dataDir: string): Promise<HostMetrics> {
  const net: HostMetrics['net'] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || net.length >= MAX_INTERFACES) continue;
      net.push({ name: name.slice(0, 32), address: address.address.slice(0, 64), family: address.family.slice(0, 8) });
    }
  }
  const metrics: HostMetrics = {
    uptimeS: uptime(),
    load: loadavg(),
    memTotalBytes: totalmem(),
    memFreeBytes: freemem(),
    net,
  };
  try {
    const disk = await statfs(dataDir);
    metrics.diskTotalBytes = disk.blocks * disk.bsize;
    metrics.diskFreeBytes = disk.bavail * disk.bsize;
  } catch {
    // A missing data dir is reported by the outbox; the snapshot goes out without disk figures.
  }
  return metrics;
}
