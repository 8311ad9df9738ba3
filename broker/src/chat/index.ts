export { ChatIngest } from './chat-ingest.js';
export { ChatService, type ChatOptions } from './chat-service.js';
export { ChatStore, type ChatRecord } from './chat-store.js';
export { DEFAULT_CANNED, type CannedReplies } from './canned.js';
