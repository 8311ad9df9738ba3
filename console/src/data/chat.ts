import {
  cannedListResponse,
  chatEntryView,
  chatListResponse,
  chatReadResponse,
  okResponse,
  type CannedListResponse,
  type ChatEntryView,
  type ChatListResponse,
  type ChatSendBody,
} from '@touchpoint/protocol';
import { api } from './api.js';

const enc = encodeURIComponent;

/** The live chat on a case (issue 17; docs/console.md#live-chat). */
export const fetchChat = (caseId: string): Promise<ChatListResponse> =>
  api('GET', `/api/cases/${enc(caseId)}/chat`, chatListResponse);
/** A text or an interactive message (quick replies, flow step, fix proposal, video request). */
export const sendChat = (caseId: string, body: ChatSendBody): Promise<ChatEntryView> =>
  api('POST', `/api/cases/${enc(caseId)}/chat`, chatEntryView, { body });
export const markChatRead = (caseId: string, upTo: string): Promise<{ marked: number }> =>
  api('POST', `/api/cases/${enc(caseId)}/chat/read`, chatReadResponse, { body: { upTo } });
export const sendChatTyping = (caseId: string, typing: boolean): Promise<unknown> =>
  api('POST', `/api/cases/${enc(caseId)}/chat/typing`, okResponse, { body: { typing } });
/** Canned replies in the customer's language (the case's locale). */
export const fetchCanned = (locale: string | null): Promise<CannedListResponse> =>
  api('GET', '/api/chat/canned', cannedListResponse, { query: locale ? { locale } : {} });
