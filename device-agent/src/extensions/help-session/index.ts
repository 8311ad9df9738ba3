import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentServices } from '../../agent-services.js';
import type { Extension } from '../../extension.js';
import { childLogger } from '../../logger.js';
import { installedHelpDir } from '../commands/help-install.js';
import { phoneAccessExtension } from '../phone-access/index.js';
import { createBridgePort } from './bridge-port.js';
import { UiBuildExtension } from './ensure-ui-built.js';
import { HelpSessionExtension } from './help-session-extension.js';

export { HelpSessionExtension, type HelpSessionOptions } from './help-session-extension.js';
export { createBridgePort } from './bridge-port.js';
export { offersFor } from './offers.js';
export { CaseTracker } from './case-tracker.js';
export { ensureUiBuilt, UiBuildExtension, type UiBuildOutcome } from './ensure-ui-built.js';

/** config.profile names a model directory or its profile.json; flows live next to it. */
function modelDirOf(profilePath: string): string {
  try {
    return statSync(profilePath).isDirectory() ? profilePath : dirname(profilePath);
  } catch {
    return dirname(profilePath);
  }
}

/** The help-session extension wired to the agent's services (what the composition root calls). */
export function helpSessionExtension(services: AgentServices): HelpSessionExtension {
  const { config, profile, bus, reporter, connection, diagnostics, localServer, mcu, actions, logger } = services;
  return new HelpSessionExtension({
    deviceId: config.deviceId,
    profile,
    modelDir: modelDirOf(config.profile),
    installedDir: () => installedHelpDir(config.dataDir),
    port: createBridgePort({ bridge: () => mcu.bridge, profile, actions }),
    bus,
    reporter,
    connection,
    diagnostics,
    localServer,
    logger: childLogger(logger, 'help'),
    readErrors: () => (mcu.link === 'up' ? mcu.bridge.readErrors() : Promise.resolve([])),
  });
}

/** Everything the touchscreen needs from the agent: a built UI, the help session and the phone that may continue it. */
export function touchUiExtensions(services: AgentServices): Extension[] {
  const help = helpSessionExtension(services);
  const phone = phoneAccessExtension(services, help);
  return [
    new UiBuildExtension(services.config.localServer.uiDir, childLogger(services.logger, 'ui')),
    help,
    ...(phone ? [phone] : []),
  ];
}
