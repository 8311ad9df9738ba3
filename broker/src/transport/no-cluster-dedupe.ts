import type { Aedes, Client } from 'aedes';

/** What aedes' dedupe reads and writes per client: the highest message number delivered, per broker id. */
const NOTHING_DELIVERED_YET: Record<string, number> = new Proxy(Object.create(null) as Record<string, number>, {
  get: () => undefined,
  set: () => true,
  deleteProperty: () => true,
});

/**
 * Turns off aedes' cluster dedupe for every client of this broker.
 *
 * aedes numbers a message when it starts publishing it, then stores it when retained and queues it for
 * persistent sessions (asynchronous, in LevelDB here) before it emits it; each client then drops any message
 * numbered below the last one it got. A message overtaken on the way, most often a retained one, was thus
 * lost for every subscriber after its PUBACK (moscajs/aedes#955, #994; broker/test/delivery-order.test.ts
 * lost 18 of 20, test/agent/commands.test.ts lost commands). The dedupe exists for brokers sharing one
 * emitter in a cluster; Touchpoint runs one aedes with its in-process emitter, where each subscription sees
 * a message once. A client with two overlapping subscriptions may now get a copy per subscription, which
 * MQTT 3.1.1 allows (3.3.5, non-normative comment after [MQTT-3.3.5-1]); devices subscribe exact topics.
 */
export function disableClusterDedupe(aedes: Aedes): void {
  const preConnect = aedes.preConnect.bind(aedes);
  aedes.preConnect = (client: Client, packet, callback) => {
    (client as Client & { duplicates: Record<string, number> }).duplicates = NOTHING_DELIVERED_YET;
    preConnect(client, packet, callback);
  };
}
