import { DEVICE_ROOT, DEVICE_UP, DeviceTopic } from '@touchpoint/protocol';
import { mqttToRoutingKey } from '../engine-auth/routing-key.js';

/** Every queue a fleet worker declares starts with this; engine-auth lets the worker identity use these only. */
export const WORKER_QUEUE_PREFIX = 'tp.fleet.';

/** The one queue of device up-traffic that the workers share as competing consumers. */
export const INGEST_QUEUE = `${WORKER_QUEUE_PREFIX}ingest`;

/**
 * The MQTT filters of what the embedded fleet ingests from devices: presence (birth and will),
 * diagnostics, events, command results and cases (DEVICE_UP). Call signalling is not here: it
 * passes the fleet to the console's live channel, which a worker does not serve.
 */
export const INGEST_FILTERS: readonly string[] = DEVICE_UP.map((kind) => `${DEVICE_ROOT}/+/${DeviceTopic[kind]}`);

/** The same filters as the MQTT plugin's routing keys on its exchange (`tp.v1.d.*.diag`, …). */
export const INGEST_BINDINGS: readonly string[] = INGEST_FILTERS.map(mqttToRoutingKey);

/**
 * A quorum queue (replicated on a majority of nodes: a node's death loses nothing that was confirmed).
 * The delivery limit ends a message that crashes every worker that takes it, instead of requeueing it
 * forever; the device still holds it in its outbox (no receipt) and sends it again later.
 */
export const INGEST_QUEUE_ARGUMENTS = { 'x-queue-type': 'quorum', 'x-delivery-limit': 20 } as const;
