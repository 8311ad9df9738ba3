import type { AgentServices } from '../../agent-services.js';
import { childLogger } from '../../logger.js';
import { ChatExtension } from './chat-extension.js';

export { ChatExtension, type ChatOptions } from './chat-extension.js';
export { Conversation } from './conversation.js';

/** The live chat wired to the agent's services; none without a touchscreen (nobody to chat with). */
export function chatExtension(services: AgentServices): ChatExtension | undefined {
  const { config, bus, connection, reporter, localServer, logger } = services;
  if (!localServer) return undefined;
  return new ChatExtension({
    deviceId: config.deviceId,
    bus,
    connection,
    reporter,
    localServer,
    logger: childLogger(logger, 'chat'),
  });
}
