import type {
  HelpCaseState,
  HelpDeviceInfo,
  HelpFlowSummary,
  HelpOffer,
  HelpScreenView,
  UiBundleAskMessage,
  UiBundleClosedMessage,
  UiChatStateMessage,
  UiLiveState,
  UiPhoneStateMessage,
} from '@touchpoint/protocol';

/**
 * Messages the agent pushes, as the UI uses them. The shapes are protocol's
 * (local-ui.ts, help-ui.ts); the agent builds them from those schemas. Here
 * they are checked structurally rather than with zod, which would cost more
 * than the whole UI in bundle size: a message with a missing or mistyped
 * field the UI relies on is refused (and logged), never half-rendered.
 */
export type AgentMessage =
  | {
      type: 'hello';
      deviceId: string;
      model: string;
      profileVersion: string;
      agentVersion: string;
      state: UiLiveState;
      /** Seconds without a tap before the screen goes home (issue 16); 0: never. */
      idleTimeoutS?: number;
    }
  | { type: 'state'; state: UiLiveState }
  | { type: 'reply'; replyTo: string; ok: true; data?: unknown }
  | { type: 'reply'; replyTo: string; ok: false; code: string; message: string }
  | { type: 'progress'; action: string; percent: number; commandId?: string; label?: Text; message?: string }
  | { type: 'command'; commandId: string; status: string; action?: string; label?: Text; code?: string }
  | { type: 'case.status'; caseId: string; status: string; agentName?: string }
  | { type: 'support.ask'; commandId: string; action: string; label?: Text; reason: Text; until: number }
  | { type: 'support.remote'; until: number | null; minutes: number }
  | { type: 'help.screen'; screen: HelpScreenView | null }
  | { type: 'help.offers'; offers: HelpOffer[] }
  | { type: 'help.case'; case: HelpCaseState | null }
  | { type: 'help.catalog'; flows: HelpFlowSummary[]; device: HelpDeviceInfo }
  | UiBundleAskMessage
  | UiBundleClosedMessage
  | UiPhoneStateMessage
  | UiChatStateMessage
  | { type: 'other'; original: string };

/** A profile text by language (`{ de, en }`). */
type Text = Record<string, string>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const isText = (v: unknown): v is Text => isObj(v) && Object.values(v).every(isStr);
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);

function isLiveState(v: unknown): v is UiLiveState {
  return (
    isObj(v) &&
    (v.broker === 'online' || v.broker === 'offline') &&
    isStr(v.link) &&
    isObj(v.sensors) &&
    Array.isArray(v.errors) &&
    v.errors.every(isStr)
  );
}

const SCREEN_KINDS = new Set(['idle', 'info', 'question', 'check', 'action', 'outcome', 'rate', 'done']);

function isScreen(v: unknown): v is HelpScreenView {
  if (
    !isObj(v) ||
    !isStr(v.kind) ||
    !SCREEN_KINDS.has(v.kind) ||
    !isStr(v.sessionId) ||
    !isStr(v.title) ||
    !isObj(v.flow)
  )
    return false;
  if (typeof v.busy !== 'boolean' || typeof v.canGoBack !== 'boolean' || !isNum(v.progress)) return false;
  switch (v.kind) {
    case 'info':
    case 'check':
    case 'done':
      return isStr(v.text);
    case 'question':
      return (
        isStr(v.text) && Array.isArray(v.choices) && v.choices.every((c) => isObj(c) && isStr(c.id) && isStr(c.label))
      );
    case 'action':
      return (
        isStr(v.phase) &&
        isObj(v.action) &&
        isStr(v.action.label) &&
        isStr(v.confirm) &&
        isStr(v.text) &&
        (v.actionProgress === null || isNum(v.actionProgress))
      );
    case 'outcome':
      return (v.result === 'resolved' || v.result === 'escalate') && isStr(v.text) && typeof v.canRate === 'boolean';
    case 'rate':
      return isStr(v.question) && isStr(v.helpedQuestion) && isObj(v.scale);
    default:
      return true;
  }
}

function isOffer(v: unknown): v is HelpOffer {
  return isObj(v) && isStr(v.code) && isStr(v.flowId) && isObj(v.label) && isObj(v.flowTitle) && isStr(v.severity);
}

function isCase(v: unknown): v is HelpCaseState {
  return (
    isObj(v) &&
    isStr(v.caseId) &&
    (v.delivery === 'queued' || v.delivery === 'sending' || v.delivery === 'sent') &&
    (v.status === null || isStr(v.status)) &&
    isNum(v.openedAt)
  );
}

function isFlowSummary(v: unknown): v is HelpFlowSummary {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isObj(v.title) &&
    Array.isArray(v.errors) &&
    v.errors.every(isStr) &&
    typeof v.menu === 'boolean'
  );
}

/** Parses one WebSocket text frame; undefined when it is not a message the UI can use. */
export function parseAgentMessage(text: string): AgentMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(v) || !isStr(v.type)) return undefined;
  switch (v.type) {
    case 'hello':
      return isStr(v.deviceId) && isStr(v.model) && isLiveState(v.state) && optional(v.idleTimeoutS, isNum)
        ? (v as AgentMessage)
        : undefined;
    case 'state':
      return isLiveState(v.state) ? (v as AgentMessage) : undefined;
    case 'reply':
      if (!isStr(v.replyTo)) return undefined;
      if (v.ok === true) return v as AgentMessage;
      return v.ok === false && isStr(v.code) && isStr(v.message) ? (v as AgentMessage) : undefined;
    case 'progress':
      return isStr(v.action) && isNum(v.percent) && optional(v.commandId, isStr) && optional(v.label, isText)
        ? (v as AgentMessage)
        : undefined;
    case 'command':
      return isStr(v.commandId) && isStr(v.status) && optional(v.action, isStr) && optional(v.label, isText)
        ? (v as AgentMessage)
        : undefined;
    case 'case.status':
      return isStr(v.caseId) && isStr(v.status) && optional(v.agentName, isStr) ? (v as AgentMessage) : undefined;
    case 'support.ask':
      return isStr(v.commandId) && isStr(v.action) && optional(v.label, isText) && isText(v.reason) && isNum(v.until)
        ? (v as AgentMessage)
        : undefined;
    case 'support.remote':
      return (v.until === null || isNum(v.until)) && isNum(v.minutes) ? (v as AgentMessage) : undefined;
    case 'help.screen':
      return v.screen === null || isScreen(v.screen) ? (v as AgentMessage) : undefined;
    case 'help.offers':
      return Array.isArray(v.offers) && v.offers.every(isOffer) ? (v as AgentMessage) : undefined;
    case 'help.case':
      return v.case === null || isCase(v.case) ? (v as AgentMessage) : undefined;
    case 'help.catalog':
      return Array.isArray(v.flows) &&
        v.flows.every(isFlowSummary) &&
        isObj(v.device) &&
        isObj(v.device.name) &&
        Array.isArray(v.device.errors)
        ? (v as AgentMessage)
        : undefined;
    case 'bundle.ask':
      // A support bundle to show the customer (issue 17): the sheet renders every section it relies on.
      return isStr(v.requestId) &&
        isNum(v.until) &&
        isNum(v.sizeBytes) &&
        isObj(v.requestedBy) &&
        isStr(v.requestedBy.name) &&
        isObj(v.bundle) &&
        Array.isArray(v.bundle.agentLog) &&
        Array.isArray(v.bundle.helpSessions) &&
        Array.isArray(v.bundle.redactions) &&
        isObj(v.bundle.mcu) &&
        Array.isArray(v.bundle.mcu.events) &&
        isObj(v.bundle.outbox)
        ? (v as AgentMessage)
        : undefined;
    case 'phone.state':
      // The phone's access (issue 17): a code to show needs its URL, a connected phone its end time.
      return v.phone === null ||
        (isObj(v.phone) &&
          (v.phone.status === 'requesting' ||
            (v.phone.status === 'offered' && isStr(v.phone.url) && isNum(v.phone.expiresAt)) ||
            (v.phone.status === 'connected' && isNum(v.phone.expiresAt))))
        ? (v as AgentMessage)
        : undefined;
    case 'chat.state':
      // The live chat (issue 17): every line needs its sender, id, time and body; the screen renders by kind.
      return (v.caseId === null || isStr(v.caseId)) &&
        (v.staffTyping === null || isStr(v.staffTyping)) &&
        Array.isArray(v.entries) &&
        v.entries.every(
          (e) =>
            isObj(e) &&
            (e.from === 'staff' || e.from === 'customer') &&
            isStr(e.id) &&
            isNum(e.at) &&
            isObj(e.body) &&
            isStr(e.body.kind),
        )
        ? (v as AgentMessage)
        : undefined;
    case 'bundle.closed':
      return isStr(v.requestId) && isStr(v.outcome) ? (v as AgentMessage) : undefined;
    default:
      // Another extension's message (video.*): passed on as text for whoever handles it.
      return { type: 'other', original: text };
  }
}
