import type { AgentMessage } from '../data/agent-messages.js';

/** A staff command running (or just finished) on the device, as the touchscreen shows it. */
export interface SupportAction {
  commandId: string;
  action: string;
  /** The profile's name of the action by language; absent for an action the profile does not name. */
  label: Readonly<Record<string, string>> | undefined;
  /** declined / no-answer: an action that needed the customer and did not run (issue 16). */
  status: 'running' | 'succeeded' | 'failed' | 'declined' | 'no-answer';
  /** Percent done as the MCU reports it; null while unknown (an indeterminate bar). */
  percent: number | null;
}

/** The fleet's status of the customer's case. */
export interface SupportCaseStatus {
  caseId: string;
  status: string;
  agentName: string | undefined;
}

/** A staff action that needs the customer and waits for "Allow" or "Decline" (profile `needsCustomer`). */
export interface SupportAsk {
  commandId: string;
  action: string;
  label: Readonly<Record<string, string>> | undefined;
  reason: Readonly<Record<string, string>>;
  /** ms since epoch: when the agent stops waiting. */
  until: number;
}

export interface SupportActivityState {
  action: SupportAction | undefined;
  supportCase: SupportCaseStatus | undefined;
  ask: SupportAsk | undefined;
  /** Until when the customer allows remote control (ms since epoch); null: not allowed. */
  remoteUntil: number | null;
  /** How long remote control lasts when turned on (the agent's setting). */
  remoteMinutes: number;
}

export const NO_SUPPORT_ACTIVITY: SupportActivityState = {
  action: undefined,
  supportCase: undefined,
  ask: undefined,
  remoteUntil: null,
  remoteMinutes: 30,
};

/**
 * Folds the agent's `command`, `progress` and `case.status` pushes into what
 * the support panel shows (issue 16). A result or progress for another command
 * than the one shown is ignored; a new `hello` (reconnect) starts from nothing,
 * since the agent greets every new connection with what is still going on.
 */
export function foldSupportActivity(state: SupportActivityState, message: AgentMessage): SupportActivityState {
  switch (message.type) {
    case 'hello':
      return NO_SUPPORT_ACTIVITY;
    case 'support.ask':
      return {
        ...state,
        ask: {
          commandId: message.commandId,
          action: message.action,
          label: message.label,
          reason: message.reason,
          until: message.until,
        },
      };
    case 'support.remote':
      return { ...state, remoteUntil: message.until, remoteMinutes: message.minutes };
    case 'command': {
      const ask = state.ask?.commandId === message.commandId ? state.ask : undefined;
      if (ask && message.status !== 'accepted')
        // The question closes with what became of it: declined, nobody answered, or refused by a check.
        return {
          ...state,
          ask: undefined,
          action: {
            commandId: ask.commandId,
            action: ask.action,
            label: ask.label,
            status:
              message.code === 'CUSTOMER_DECLINED'
                ? 'declined'
                : message.code === 'CUSTOMER_NO_ANSWER'
                  ? 'no-answer'
                  : 'failed',
            percent: null,
          },
        };
      if (message.status === 'accepted')
        return {
          ...state,
          ask: ask ? undefined : state.ask,
          action: {
            commandId: message.commandId,
            action: message.action ?? '',
            label: message.label,
            status: 'running',
            percent: state.action?.commandId === message.commandId ? state.action.percent : null,
          },
        };
      const current = state.action;
      if (current?.commandId !== message.commandId) return state;
      if (message.status === 'succeeded' || message.status === 'failed')
        return { ...state, action: { ...current, status: message.status } };
      return state;
    }
    case 'progress': {
      const current = state.action;
      if (!current || current.commandId !== message.commandId || current.status !== 'running') return state;
      return { ...state, action: { ...current, percent: Math.min(100, Math.max(0, message.percent)) } };
    }
    case 'case.status':
      return {
        ...state,
        supportCase: { caseId: message.caseId, status: message.status, agentName: message.agentName },
      };
    case 'state':
    case 'reply':
    case 'help.screen':
    case 'help.offers':
    case 'help.case':
    case 'help.catalog':
    case 'bundle.ask':
    case 'bundle.closed':
    case 'phone.state':
    case 'chat.state':
    case 'other':
      return state;
  }
}
