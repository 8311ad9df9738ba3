import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU and memory of one process from /proc (what pidusage does, without the
 * dependency). Linux only, which is where the benchmark runs.
 */

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time the process has used so far, in milliseconds (resolution 1/CLK_TCK, 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses; fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15 (proc(5)).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

function statusKb(pid: number, key: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith(`${key}:`));
  if (!line) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(line.split(/\s+/)[1]);
}

/** Resident set size now, in bytes. */
export function rssBytes(pid: number): number {
  return statusKb(pid, 'VmRSS') * 1024;
}

/** Peak resident set size, in bytes. */
export function peakRssBytes(pid: number): number {
  return statusKb(pid, 'VmHWM') * 1024;
}

/** A CPU meter over a window: start(), then stop() returns CPU ms used and wall ms elapsed. */
export function cpuWindow(pid: number): { stop(): { cpuMs: number; wallMs: number } } {
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  return {
    stop() {
      return { cpuMs: cpuMs(pid) - cpu0, wallMs: performance.now() - t0 };
    },
  };
}

/**
 * Waits until the process's CPU use over `windowMs` falls below `maxCores`
 * (work a broker queued during setup, such as retained-message scans after a
 * connect storm, must not leak into the next measurement). Returns the ms waited.
 */
export async function waitQuiet(
  pid: number,
  opts: { maxCores?: number; windowMs?: number; timeoutMs?: number } = {},
): Promise<number> {
  const maxCores = opts.maxCores ?? 0.05;
  const windowMs = opts.windowMs ?? 300;
  const started = performance.now();
  const deadline = started + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const w = cpuWindow(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const { cpuMs: used, wallMs } = w.stop();
    if (used / wallMs <= maxCores || performance.now() > deadline) return performance.now() - started;
  }
}
