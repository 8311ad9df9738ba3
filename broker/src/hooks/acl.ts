import { DEVICE_ROOT, DEVICE_UP, deviceTopic, devicePrefix, parseTopic } from '@touchpoint/protocol';
import type { Identity } from './identity.js';

/**
 * The topic ACL, as pure functions. A device publishes only its own up-topics
 * and subscribes only to its own down-topics (see docs/protocol.md); staff
 * connections are read-only; the fleet service has full rights.
 */
export function mayPublish(identity: Identity, topic: string): boolean {
  switch (identity.kind) {
    case 'service':
      return true;
    case 'staff':
      return false;
    case 'device': {
      const parsed = parseTopic(topic);
      if (!parsed || parsed.deviceId !== identity.deviceId) return false;
      if (parsed.kind === 'signal') return parsed.direction === 'up';
      return DEVICE_UP.includes(parsed.kind);
    }
  }
}

export function maySubscribe(identity: Identity, filter: string): boolean {
  switch (identity.kind) {
    case 'service':
      return true;
    case 'staff':
      // Read-only view of device topics; never `#` or `$SYS`. Call signalling is relayed to the
      // calling staff member only, by the video service, so no staff filter may reach `rtc/`.
      return filter.startsWith(`${DEVICE_ROOT}/`) && !/(^|\/)(rtc|#)(\/|$)/.test(filter.slice(DEVICE_ROOT.length + 1).replace(/^[^/]+\//, ''));
    case 'device': {
      const prefix = devicePrefix(identity.deviceId);
      return (
        filter === deviceTopic(identity.deviceId, 'command') ||
        filter === deviceTopic(identity.deviceId, 'caseStatus') ||
        filter === `${prefix}rtc/+/down` ||
        /^rtc\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/down$/.test(filter.slice(prefix.length)) && filter.startsWith(prefix)
      );
    }
  }
}
