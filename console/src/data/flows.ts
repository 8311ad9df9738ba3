import { flowResponse, type HelpFlow } from '@touchpoint/protocol';
import { api } from './api.js';

const cache = new Map<string, Promise<HelpFlow | undefined>>();

/** A help flow's definition (cached per page load); undefined when the broker does not know it. */
export function fetchFlow(flowId: string): Promise<HelpFlow | undefined> {
  let pending = cache.get(flowId);
  if (!pending) {
    pending = api('GET', `/api/flows/${encodeURIComponent(flowId)}`, flowResponse).then(
      (r) => r.flow,
      () => {
        cache.delete(flowId);
        return undefined;
      },
    );
    cache.set(flowId, pending);
  }
  return pending;
}
