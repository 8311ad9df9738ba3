import { ErrorCode, TouchpointError } from './errors.js';
import { isSafeId } from './ids.js';

/**
 * The one module that builds and parses every MQTT topic.
 *
 * Every device topic sits under `tp/v1/d/{deviceId}/`, so an ACL is a prefix
 * check. Builders refuse ids that could escape the prefix; publish topics
 * never contain wildcards [MQTT-3.3.2-2].
 */
export const TOPIC_ROOT = 'tp/v1';
export const DEVICE_ROOT = `${TOPIC_ROOT}/d`;

/** The leaf of every topic a device may use, with its direction. */
export const DeviceTopic = {
  /** up: online (birth) or offline (last will); retained for other subscribers, the fleet never reads it back (issue 15). */
  presence: 'presence',
  /** up: periodic or on-demand diagnostics snapshots. */
  diagnostics: 'diag',
  /** up: help-session trace and MCU error events. */
  events: 'evt',
  /** up: results of commands, keyed by command id. */
  commandResult: 'cmd/res',
  /** up: a customer's escalation, with trace and diagnostics. */
  caseOpen: 'case',
  /** down: signed command envelopes. */
  command: 'cmd',
  /** down: status of the device's latest case, sent again on every birth (not retained, issue 15). */
  caseStatus: 'case/status',
  /** down: the command keys to trust, as a list signed by the device's root key (issue 12 #10). */
  keys: 'keys',
  /** down, QoS 0: the fleet stored (or refused for good) these reports; the outbox deletes them (issue 15). */
  receipt: 'rcpt',
  /** up: the customer's answer to a support bundle request, with the bundle they agreed to send (issue 17). */
  bundle: 'bundle',
  /** down: staff ask for a support bundle; the device asks the customer first (issue 17). */
  bundleRequest: 'bundle/req',
  /** up: the customer's chat messages on the open case, from the outbox (issue 17, "Live chat"). */
  chat: 'chat',
  /** up, QoS 0: the customer is typing (or stopped); never stored, never from the outbox (issue 17). */
  chatTyping: 'chat/typing',
  /** down: staff chat messages, typing and read marks; only the fleet publishes here (issue 17). */
  chatStaff: 'chat/staff',
  /** up, live (not from the outbox): the customer's phone access: link requests, the help view, its end (issue 17). */
  phoneUp: 'phone/up',
  /** down: the phone's link, its claim and end, and the steps the customer takes on the phone (issue 17). */
  phoneDown: 'phone/down',
} as const;

export type DeviceTopicKind = keyof typeof DeviceTopic;

/** Topics a device publishes (up) and the ones it subscribes to (down). */
export const DEVICE_UP: readonly DeviceTopicKind[] = [
  'presence',
  'diagnostics',
  'events',
  'commandResult',
  'caseOpen',
  'bundle',
  'chat',
  'chatTyping',
  'phoneUp',
];
export const DEVICE_DOWN: readonly DeviceTopicKind[] = [
  'command',
  'caseStatus',
  'keys',
  'receipt',
  'bundleRequest',
  'chatStaff',
  'phoneDown',
];
/** The up topics a device sends from its durable outbox: each message on them gets a receipt (issue 15). */
export const DEVICE_REPORTS: readonly DeviceTopicKind[] = [
  'diagnostics',
  'events',
  'commandResult',
  'caseOpen',
  'bundle',
  'chat',
];

function assertSafe(kind: string, value: string): void {
  if (!isSafeId(value)) {
    throw new TouchpointError(ErrorCode.ID_INVALID, `${kind} ${JSON.stringify(value)} may not be used in a topic`);
  }
}

export function devicePrefix(deviceId: string): string {
  assertSafe('device id', deviceId);
  return `${DEVICE_ROOT}/${deviceId}/`;
}

export function deviceTopic(deviceId: string, kind: DeviceTopicKind): string {
  return devicePrefix(deviceId) + DeviceTopic[kind];
}

/** Per-session WebRTC signalling topics; `up` is from the device (or phone), `down` is to it. */
export function signalTopic(deviceId: string, sessionId: string, direction: 'up' | 'down'): string {
  assertSafe('session id', sessionId);
  return `${devicePrefix(deviceId)}rtc/${sessionId}/${direction}`;
}

/** Subscription filters used by the fleet service and staff (read-only) connections. */
export const Filters = {
  allDevices: `${DEVICE_ROOT}/+/#`,
  deviceAll: (deviceId: string) => `${devicePrefix(deviceId)}#`,
  deviceSignalsDown: (deviceId: string) => `${devicePrefix(deviceId)}rtc/+/down`,
} as const;

export type ParsedTopic =
  | { deviceId: string; kind: DeviceTopicKind }
  | { deviceId: string; kind: 'signal'; sessionId: string; direction: 'up' | 'down' };

const LEAF_TO_KIND = new Map<string, DeviceTopicKind>(
  (Object.entries(DeviceTopic) as [DeviceTopicKind, string][]).map(([kind, leaf]) => [leaf, kind]),
);

/** Parse a concrete topic. Returns undefined for anything outside the contract. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(`${DEVICE_ROOT}/`)) return undefined;
  const rest = topic.slice(DEVICE_ROOT.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const deviceId = rest.slice(0, slash);
  if (!isSafeId(deviceId)) return undefined;
  const leaf = rest.slice(slash + 1);
  const kind = LEAF_TO_KIND.get(leaf);
  if (kind) return { deviceId, kind };
  const rtc = /^rtc\/([^/]+)\/(up|down)$/.exec(leaf);
  if (rtc && rtc[1] && isSafeId(rtc[1])) {
    return { deviceId, kind: 'signal', sessionId: rtc[1], direction: rtc[2] as 'up' | 'down' };
  }
  return undefined;
}

/** True when a topic or filter contains an MQTT wildcard. */
export function hasWildcard(topic: string): boolean {
  return topic.includes('+') || topic.includes('#');
}
