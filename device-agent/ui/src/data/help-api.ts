import type { HelpCaseState, HelpScreenView, HelpUiReplies } from '@touchpoint/protocol';
import type { AgentClient } from './agent-client.js';

/** Thin typed calls for the help.* request types (see protocol/src/messages/help-ui.ts). */
export function helpApi(client: AgentClient) {
  return {
    flows: () => client.request<HelpUiReplies['help.flows']>('help.flows'),
    start: (flowId: string, locale: string, trigger: 'menu' | 'error', errorCode?: string) =>
      client.request<{ screen: HelpScreenView }>('help.start', {
        flowId,
        locale,
        trigger,
        ...(errorCode ? { errorCode } : {}),
      }),
    next: (sessionId: string) => client.request<void>('help.next', { sessionId }),
    choose: (sessionId: string, choiceId: string) => client.request<void>('help.choose', { sessionId, choiceId }),
    confirm: (sessionId: string) => client.request<void>('help.confirm', { sessionId }),
    cancel: (sessionId: string) => client.request<void>('help.cancel', { sessionId }),
    back: (sessionId: string) => client.request<void>('help.back', { sessionId }),
    rate: (sessionId: string, ces: number, helped: boolean) =>
      client.request<void>('help.rate', { sessionId, ces, helped }),
    close: () => client.request<void>('help.close'),
    setLocale: (locale: string) => client.request<void>('help.locale', { locale }),
    openCase: (locale: string, reason?: string) =>
      client.request<HelpCaseState>('help.case.open', {
        locale,
        consent: { diagnostics: true, helpSession: true },
        ...(reason ? { reason } : {}),
      }),
    dismissCase: () => client.request<void>('help.case.dismiss'),
  };
}

export type HelpApi = ReturnType<typeof helpApi>;
