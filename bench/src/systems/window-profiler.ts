import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * CPU profiles of one measurement window, taken inside a broker process
 * through the inspector (what `node --cpu-prof` records, but only while the
 * load runs, so setup work does not drown the hot path). Written as
 * .cpuprofile files that Chrome DevTools and `touchpoint-bench --summarize` read.
 */
let session: Session | undefined;

export const windowProfiler = {
  async profileStart(): Promise<void> {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  },
  async profileStop(p: { path: string }): Promise<string> {
    if (!session) throw new Error('no profile running');
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = undefined;
    writeFileSync(p.path, JSON.stringify(profile));
    return p.path;
  },
};
