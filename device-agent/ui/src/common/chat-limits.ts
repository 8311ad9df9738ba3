import type { ChatAccept, ChatDecline, ChatImageType } from '@touchpoint/protocol';

/**
 * The live chat's limits and answer ids as the touchscreen needs them (issue 17). The UI bundle imports only
 * types from protocol, so the values are spelled out here; the types keep the ids in step, and
 * device-agent/test/chat-conversation.test.ts checks the numbers against protocol's.
 */
export const CHAT_TEXT_MAX = 1000;
export const CHAT_IMAGE_MAX_BYTES = 96 * 1024;
export const CHAT_IMAGE_TYPES: readonly ChatImageType[] = ['image/jpeg', 'image/png', 'image/webp'];
export const CHAT_ACCEPT: ChatAccept = 'accept';
export const CHAT_DECLINE: ChatDecline = 'decline';
