import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function
 * and by area (idle, GC, SQLite, zod, aedes, …), the numbers the analysis in
 * docs/benchmarks.md is written from.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  areas: { area: string; ms: number; share: number }[];
  functions: { fn: string; ms: number; share: number }[];
  /** Inclusive time of frames whose name matches one of the requested functions. */
  inclusive: { fn: string; ms: number; share: number }[];
}

const AREAS: [string, RegExp][] = [
  ['better-sqlite3 (SQLite)', /better-sqlite3|\bStatement\b|\brun\b.*native|transaction/],
  ['zod validation', /\/zod\//],
  ['mqtt-packet (parse/generate)', /\/mqtt-packet\//],
  [
    'aedes + mqemitter + persistence',
    /\/(aedes|aedes-[a-z-]+|mqemitter|qlobber|fastparallel|fastseries|reusify|hyperid|retimer)\//,
  ],
  ['level (session store)', /\/(level|classic-level|abstract-level|level-[a-z-]+|module-error|maybe-combine-errors)\//],
  ['touchpoint broker', /\/broker\/src\//],
  ['touchpoint protocol', /\/protocol\/src\//],
  ['bench child harness', /\/bench\/src\//],
  ['tsx loader', /\/tsx\//],
  ['node: streams', /node:internal\/streams|node:stream/],
  ['node: net/tcp', /node:net|node:internal\/stream_base_commons|node:internal\/net/],
  ['node: other internals', /^node:/],
];

function areaOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: native, outside JS)';
  const key = `${url} ${functionName}`;
  for (const [area, re] of AREAS) if (re.test(url)) return area;
  if (!url) return `native: ${functionName || '(anonymous)'}`;
  return key.includes('node_modules')
    ? `other npm: ${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url}`
    : `other: ${url}`;
}

export function summarizeProfile(path: string, inclusiveNames: string[] = []): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);

  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const area = areaOf(node);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const f = node.callFrame;
    const name =
      `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(broker|protocol|bench)\//, '$1/')}:${f.lineNumber + 1}` : ''}`.trim();
    fns.set(name, (fns.get(name) ?? 0) + ms);
    // Inclusive: charge this sample once to every distinct requested frame on its stack.
    if (inclusiveNames.length) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const fn = byId.get(cur)!.callFrame.functionName;
        if (inclusiveNames.includes(fn) && !seen.has(fn)) {
          seen.add(fn);
          incl.set(fn, (incl.get(fn) ?? 0) + ms);
        }
      }
    }
  }
  const share = (ms: number) => ms / totalMs;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    areas: sorted(areas).map(([area, ms]) => ({ area, ms, share: share(ms) })),
    functions: sorted(fns)
      .slice(0, 40)
      .map(([fn, ms]) => ({ fn, ms, share: share(ms) })),
    inclusive: sorted(incl).map(([fn, ms]) => ({ fn, ms, share: share(ms) })),
  };
}

export function renderProfileSummary(path: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `Profile ${path}: ${(s.totalMs / 1000).toFixed(1)} s sampled`,
    '',
    'Self time by area:',
    ...s.areas.map((a) => `  ${pct(a.share).padStart(6)}  ${a.ms.toFixed(0).padStart(7)} ms  ${a.area}`),
    '',
    'Top functions (self time):',
    ...s.functions.map((f) => `  ${pct(f.share).padStart(6)}  ${f.ms.toFixed(0).padStart(7)} ms  ${f.fn}`),
    ...(s.inclusive.length
      ? [
          '',
          'Inclusive time:',
          ...s.inclusive.map((f) => `  ${pct(f.share).padStart(6)}  ${f.ms.toFixed(0).padStart(7)} ms  ${f.fn}`),
        ]
      : []),
  ].join('\n');
}
