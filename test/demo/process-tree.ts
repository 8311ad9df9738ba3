import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Every descendant pid of `pid` (Linux `ps`), so a test can prove nothing is left behind. */
export function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** The process's start time (clock ticks since boot, /proc/PID/stat field 22) and state, or undefined when it is gone. */
function stat(pid: number): { start: string; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after it start at the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return undefined;
  }
}

/** When each pid started, to tell the process from a later one that got its pid. */
export function startTimes(pids: readonly number[]): Map<number, string> {
  return new Map(
    pids.flatMap((pid) => {
      const s = stat(pid);
      return s ? [[pid, s.start] as const] : [];
    }),
  );
}

/**
 * Whether the process is still running: not gone, not a zombie waiting to be reaped (it has ended), and,
 * given when it started, not a newer process that reused its pid.
 */
export function alive(pid: number, started?: ReadonlyMap<number, string>): boolean {
  const s = stat(pid);
  if (!s || s.state === 'Z') return false;
  const expected = started?.get(pid);
  return expected === undefined || expected === s.start;
}
