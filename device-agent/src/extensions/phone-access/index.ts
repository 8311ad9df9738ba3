import type { AgentServices } from '../../agent-services.js';
import { childLogger } from '../../logger.js';
import type { HelpUiTarget } from '../help-session/help-ui-routes.js';
import { phoneLinkPolicy } from '../video/phone-link.js';
import { PhoneAccessExtension } from './phone-access-extension.js';

export { PhoneAccessExtension, type PhoneAccessOptions } from './phone-access-extension.js';

/** The phone as a touchpoint, wired to the agent's services; undefined without a touchscreen (no one scans a code). */
export function phoneAccessExtension(services: AgentServices, help: HelpUiTarget): PhoneAccessExtension | undefined {
  const { config, profile, connection, localServer, logger, bus } = services;
  if (!localServer) return undefined;
  return new PhoneAccessExtension({
    deviceId: config.deviceId,
    profile,
    connection,
    localServer,
    help,
    bus,
    phoneLinks: phoneLinkPolicy(config.brokerUrl, config.video.phoneOrigin),
    logger: childLogger(logger, 'phone'),
  });
}
