import { DEVICE_ROOT, filtersIntersect } from '@touchpoint/protocol';
import { maySubscribe, rightsOf } from './acl.js';
import type { Identity } from './identity.js';

const DEVICE_TREE = `${DEVICE_ROOT}/#`;
const DEVICE_ROOT_LEVELS = DEVICE_ROOT.split('/');

/**
 * maySubscribe for an engine that judges a subscription once, at SUBSCRIBE, and has no hook per
 * delivered message (RabbitMQ's MQTT plugin binds the filter to its topic exchange; issue 15). The
 * embedded broker grants an integration a wildcard that overlaps its deny list and withholds the
 * denied messages one by one (mayReceive); without that hook the filter is granted only if every
 * topic it can match would pass mayReceive: it meets no denied filter, and with a models list it
 * names one device of an allowed model.
 */
export function maySubscribeUnfiltered(
  identity: Identity,
  filter: string,
  modelOf: (deviceId: string) => string | undefined,
): boolean {
  if (!maySubscribe(identity, filter)) return false;
  if (identity.kind === 'device' || identity.account.builtin) return true;
  const rights = rightsOf(identity);
  if (rights.deny.some((denied) => filtersIntersect(denied, filter))) return false;
  if (rights.models.length === 0 || !filtersIntersect(DEVICE_TREE, filter)) return true;
  const levels = filter.split('/');
  if (!DEVICE_ROOT_LEVELS.every((level, i) => levels[i] === level)) return false;
  const deviceId = levels[DEVICE_ROOT_LEVELS.length];
  if (deviceId === undefined || deviceId === '+' || deviceId === '#') return false;
  const model = modelOf(deviceId);
  return model !== undefined && rights.models.includes(model);
}
