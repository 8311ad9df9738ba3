import type { Fleet } from '@touchpoint/broker';
import { wallNow } from '../clock.js';

/**
 * What the commands suite's Touchpoint round asks of the process that serves the console API (the
 * embedded broker's child, or a cluster's API process): when each command's `succeeded` reached the
 * fleet's live bus, timed here, and the stored statuses at the end of a round.
 */
export function commandRoundHandlers(fleet: Fleet) {
  const succeededAt = new Map<string, number>();
  fleet.live.on('command', (e) => {
    if (e.status === 'succeeded') succeededAt.set(e.commandId, wallNow());
  });
  return {
    succeededCount: () => succeededAt.size,
    takeSucceeded: (): [string, number][] => {
      const out = [...succeededAt.entries()];
      succeededAt.clear();
      return out;
    },
    commandStatusCounts: () =>
      Object.fromEntries(
        (
          fleet.db.prepare('SELECT status, COUNT(*) AS n FROM commands GROUP BY status').all() as {
            status: string;
            n: number;
          }[]
        ).map((r) => [r.status, r.n]),
      ),
  };
}
