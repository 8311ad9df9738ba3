import type { AgentServices } from '../../agent-services.js';
import { childLogger } from '../../logger.js';
import { collectHostMetrics } from '../diagnostics/host-metrics.js';
import { SupportBundleExtension } from './bundle-extension.js';
import { BundleHistory } from './history.js';
import type { LogRing } from './log-ring.js';

export { SupportBundleExtension, type SupportBundleOptions } from './bundle-extension.js';
export { LogRing, recordingLogger } from './log-ring.js';
export { redactFields, redactText } from './redact.js';

/** The support bundle extension wired to the agent's services and its log ring (agent.ts). */
export function supportBundleExtension(services: AgentServices, log: LogRing): SupportBundleExtension {
  const { config, bus, connection, reporter, localServer, logger, mcu, outbox } = services;
  // One history: the extension records into it, the collector reads it.
  const history = new BundleHistory();
  return new SupportBundleExtension({
    deviceId: config.deviceId,
    bus,
    connection,
    reporter,
    localServer,
    history,
    sources: {
      log,
      history,
      mcu: {
        get link() {
          return mcu.link;
        },
        get activeErrors() {
          return mcu.bridge.activeErrors;
        },
      },
      outbox: {
        get depth() {
          return outbox.depth;
        },
        get dropped() {
          return outbox.dropped;
        },
        get oldestQueuedAt() {
          return outbox.oldestQueuedAt;
        },
      },
      host: () => collectHostMetrics(config.dataDir),
    },
    logger: childLogger(logger, 'bundle'),
    consentWaitMs: config.supportBundles.consentWaitS * 1000,
  });
}
