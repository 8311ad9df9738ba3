import type { AgentServices } from '../../agent-services.js';
import { childLogger } from '../../logger.js';
import { phoneLinkPolicy } from './phone-link.js';
import { VideoExtension } from './video-extension.js';

export { VideoExtension, type VideoExtensionOptions } from './video-extension.js';
export { checkDown, type BoundCall } from './session-guard.js';
export { checkPhoneLink, phoneLinkPolicy, type PhoneLinkPolicy } from './phone-link.js';

/** The video extension wired to the agent's services; undefined without a touchscreen (no one could consent). */
export function videoExtension(services: AgentServices): VideoExtension | undefined {
  const { config, profile, connection, reporter, localServer, logger, bus } = services;
  if (!localServer) return undefined;
  const phoneLinks = phoneLinkPolicy(config.brokerUrl, config.video.phoneOrigin);
  return new VideoExtension({
    deviceId: config.deviceId,
    profile,
    connection,
    reporter,
    localServer,
    phoneLinks,
    bus,
    logger: childLogger(logger, 'video'),
  });
}
