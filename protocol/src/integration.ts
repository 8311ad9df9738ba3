import { z } from 'zod';
import { DEVICE_ROOT, DeviceTopic } from './topics.js';
import { filtersIntersect, isValidTopicFilter } from './topic-filter.js';

/**
 * An integration account: a maker's backend (ERP, data lake, warranty system)
 * reading its fleet over MQTT with scoped rights (docs/integrations.md).
 */
export const integrationName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'use 1-64 lower-case letters, digits, ".", "_" or "-"');

const filter = z
  .string()
  .min(1)
  .max(256)
  .refine(isValidTopicFilter, 'not a valid MQTT topic filter ([MQTT-4.7.1-2], [MQTT-4.7.1-3])');

export const integrationRights = z.object({
  /** Filters it may subscribe to; a subscription is granted only if every topic it can match is inside one. */
  subscribe: z.array(filter).max(64).default([]),
  /** Topic filters it may publish to: never the device tree (`tp/v1/d/…`), which only devices and the signed fleet use. */
  publish: z.array(filter).max(64).default([]),
  /** Exceptions inside the subscribe list: never delivered, and a filter entirely inside one is refused. */
  deny: z.array(filter).max(64).default([]),
  /** Only devices of these models, for topics under the device tree; empty means every model. */
  models: z.array(z.string().min(1).max(64)).max(64).default([]),
  /** Client ids must start with this; default `NAME-`. */
  clientIdPrefix: z
    .string()
    .max(32)
    .refine((p) => !p.includes('+') && !p.includes('#') && !p.includes('\u0000'), 'no wildcards or U+0000')
    .optional(),
  /** Clients that send no user name, from loopback only, get this account (for conformance suites and test rigs). */
  anonymousLoopback: z.boolean().default(false),
});
export type IntegrationRights = z.output<typeof integrationRights>;

/**
 * Never delivered to an integration: call signalling carries TURN credentials and the customer's phone link;
 * receipts are the device's own transport bookkeeping, and one per ingest batch would add to every wide
 * subscription's traffic (issue 15).
 */
export const INTEGRATION_ALWAYS_DENIED = [`${DEVICE_ROOT}/+/rtc/#`, `${DEVICE_ROOT}/+/${DeviceTopic.receipt}`] as const;

/** What an integration may never publish to: anything in the device tree (up-topics would forge device reports, down-topics commands). */
const DEVICE_TREE = `${DEVICE_ROOT}/#`;

/** Problems with a set of rights, as sentences; empty when they are fine. */
export function integrationRightsProblems(rights: IntegrationRights): string[] {
  const problems: string[] = [];
  for (const f of rights.publish) {
    if (filtersIntersect(f, DEVICE_TREE))
      problems.push(
        `--publish ${f}: integrations may not publish in the device tree (${DEVICE_TREE}); only devices and the signed fleet service do`,
      );
  }
  if (rights.subscribe.length === 0 && rights.publish.length === 0)
    problems.push('give at least one --subscribe or --publish filter');
  return problems;
}
