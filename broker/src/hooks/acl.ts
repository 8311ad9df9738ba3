import {
  DEVICE_DOWN,
  DEVICE_ROOT,
  DEVICE_UP,
  DeviceTopic,
  INTEGRATION_ALWAYS_DENIED,
  devicePrefix,
  filterCovers,
  hasWildcard,
  isSafeId,
  isValidTopicFilter,
  isValidTopicName,
  parseTopic,
  topicMatches,
} from '@touchpoint/protocol';
import type { Identity } from './identity.js';

/** What an identity may publish to, subscribe to (filters it may narrow, never widen), and never receive. */
export interface TopicRights {
  publish: readonly string[];
  /** The publish filters without wildcards, for a lookup instead of a match on the hot path (every PUBLISH). */
  publishExact: ReadonlySet<string>;
  publishPatterns: readonly string[];
  subscribe: readonly string[];
  deny: readonly string[];
  /** Device topics only from devices of these models; empty: every model. */
  models: readonly string[];
}

const DEVICE_TREE = `${DEVICE_ROOT}/#`;
/** An integration's rights are built once per account; a device's are never kept (see devicePublishes). */
const rightsCache = new WeakMap<Identity, TopicRights>();

/** Every device has the same rights under its own prefix: these leaves. */
const DEVICE_PUBLISH_LEAVES: readonly string[] = [...DEVICE_UP.map((kind) => DeviceTopic[kind]), 'rtc/+/up'];
const DEVICE_SUBSCRIBE_LEAVES: readonly string[] = [...DEVICE_DOWN.map((kind) => DeviceTopic[kind]), 'rtc/+/down'];
const DEVICE_PUBLISH_EXACT = DEVICE_PUBLISH_LEAVES.filter((leaf) => !hasWildcard(leaf));
const DEVICE_PUBLISH_PATTERNS = DEVICE_PUBLISH_LEAVES.filter(hasWildcard);

/**
 * Every identity is an allow-list, judged by the same checks below: a device
 * publishes only its own up-topics and subscribes only to its own down-topics
 * (docs/protocol.md); an integration account has the filters an admin granted
 * (docs/integrations.md); the built-in service account has every topic outside `$`.
 */
export function rightsOf(identity: Identity): TopicRights {
  // A device's list is built when asked (a SUBSCRIBE, once per connect), not kept: kept for every
  // connected device it cost ≈ 2 KiB of broker heap each (issue 13, docs/benchmarks.md).
  if (identity.kind === 'device') return computeRights(identity);
  let rights = rightsCache.get(identity);
  if (!rights) rightsCache.set(identity, (rights = computeRights(identity)));
  return rights;
}

function computeRights(identity: Identity): TopicRights {
  const rights = baseRights(identity);
  return {
    ...rights,
    publishExact: new Set(rights.publish.filter((f) => !hasWildcard(f))),
    publishPatterns: rights.publish.filter(hasWildcard),
  };
}

function baseRights(identity: Identity): Omit<TopicRights, 'publishExact' | 'publishPatterns'> {
  switch (identity.kind) {
    case 'integration': {
      const { rights, builtin } = identity.account;
      return {
        publish: rights.publish,
        subscribe: rights.subscribe,
        deny: builtin ? [] : [...rights.deny, ...INTEGRATION_ALWAYS_DENIED],
        models: rights.models,
      };
    }
    case 'device': {
      const prefix = devicePrefix(identity.deviceId);
      return {
        publish: DEVICE_PUBLISH_LEAVES.map((leaf) => prefix + leaf),
        subscribe: DEVICE_SUBSCRIBE_LEAVES.map((leaf) => prefix + leaf),
        deny: [],
        models: [],
      };
    }
  }
}

export function mayPublish(identity: Identity, topic: string): boolean {
  if (!isValidTopicName(topic)) return false;
  if (identity.kind === 'device') return devicePublishes(identity.deviceId, topic);
  const rights = rightsOf(identity);
  if (!(rights.publishExact.has(topic) || rights.publishPatterns.some((granted) => topicMatches(granted, topic))))
    return false;
  // Only devices and the signed fleet service write in the device tree, whatever an account was granted.
  return identity.account.builtin || !topicMatches(DEVICE_TREE, topic);
}

/**
 * The device's publish rights (rightsOf) judged on every PUBLISH without building them: the topic must
 * be the device's own prefix followed by one of the leaves. The prefix has no wildcard and ends at a
 * level boundary, so matching a leaf against the rest is the same as matching prefix + leaf against the topic.
 */
function devicePublishes(deviceId: string, topic: string): boolean {
  const idAt = DEVICE_ROOT.length + 1;
  const leafAt = idAt + deviceId.length + 1;
  if (
    topic.length <= leafAt ||
    !topic.startsWith(DEVICE_ROOT) ||
    topic[idAt - 1] !== '/' ||
    !topic.startsWith(deviceId, idAt) ||
    topic[leafAt - 1] !== '/' ||
    !isSafeId(deviceId)
  )
    return false;
  for (const leaf of DEVICE_PUBLISH_EXACT)
    if (topic.length === leafAt + leaf.length && topic.endsWith(leaf)) return true;
  const leaf = topic.slice(leafAt);
  return DEVICE_PUBLISH_PATTERNS.some((granted) => topicMatches(granted, leaf));
}

/**
 * A filter is granted only if every topic it could match is inside the allow-list, whatever its
 * wildcards, and it is not entirely inside a denied filter. A granted wildcard that overlaps a denied
 * filter never delivers the denied topics: see mayReceive.
 */
export function maySubscribe(identity: Identity, filter: string): boolean {
  const rights = rightsOf(identity);
  return (
    isValidTopicFilter(filter) &&
    rights.subscribe.some((granted) => filterCovers(granted, filter)) &&
    !rights.deny.some((denied) => filterCovers(denied, filter))
  );
}

/** Checked for every message delivered to an integration: inside its allow-list, outside its deny list, of its models. */
export function mayReceive(
  identity: Identity,
  topic: string,
  modelOf: (deviceId: string) => string | undefined,
): boolean {
  if (identity.kind === 'device' || identity.account.builtin) return true;
  const rights = rightsOf(identity);
  if (
    !rights.subscribe.some((granted) => topicMatches(granted, topic)) ||
    rights.deny.some((denied) => topicMatches(denied, topic))
  )
    return false;
  if (rights.models.length === 0) return true;
  const parsed = parseTopic(topic);
  if (!parsed) return !topicMatches(DEVICE_TREE, topic);
  const model = modelOf(parsed.deviceId);
  return model !== undefined && rights.models.includes(model);
}
