import { DEVICE_UP, DeviceTopic, deviceTopic, devicePrefix, filterCovers, isValidTopicFilter, isValidTopicName, topicMatches } from '@touchpoint/protocol';
import type { Identity } from './identity.js';

/** What an identity may publish to (topic filters) and subscribe to (filters it may narrow, never widen). */
export interface TopicRights {
  publish: readonly string[];
  subscribe: readonly string[];
}

/**
 * A device publishes only its own up-topics and subscribes only to its own
 * down-topics (docs/protocol.md); the fleet service has full rights outside `$`
 * topics. Every decision goes through the same two checks below.
 */
const rightsCache = new WeakMap<Identity, TopicRights>();

export function rightsOf(identity: Identity): TopicRights {
  let rights = rightsCache.get(identity);
  if (!rights) rightsCache.set(identity, (rights = computeRights(identity)));
  return rights;
}

function computeRights(identity: Identity): TopicRights {
  switch (identity.kind) {
    case 'service':
      return { publish: ['#'], subscribe: ['#'] };
    case 'device': {
      const prefix = devicePrefix(identity.deviceId);
      return {
        publish: [...DEVICE_UP.map((kind) => prefix + DeviceTopic[kind]), `${prefix}rtc/+/up`],
        subscribe: [deviceTopic(identity.deviceId, 'command'), deviceTopic(identity.deviceId, 'caseStatus'), deviceTopic(identity.deviceId, 'keys'), `${prefix}rtc/+/down`],
      };
    }
  }
}

export function mayPublish(identity: Identity, topic: string): boolean {
  return isValidTopicName(topic) && rightsOf(identity).publish.some((granted) => topicMatches(granted, topic));
}

/** A filter is granted only if every topic it could match is inside the allow-list, whatever its wildcards. */
export function maySubscribe(identity: Identity, filter: string): boolean {
  return isValidTopicFilter(filter) && rightsOf(identity).subscribe.some((granted) => filterCovers(granted, filter));
}
