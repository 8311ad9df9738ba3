import { loadModels, type ModelRegistry } from '@touchpoint/models';
import type { DeviceProfile } from '@touchpoint/protocol';
import type { Logger } from '../logger.js';

/**
 * Reads the device models in `dirs` through @touchpoint/models, the one model
 * reader (issue 14, the model registry), and logs every problem with its file
 * and JSON path. A broken profile or flow is left out, never fatal.
 */
export function loadModelRegistry(dirs: readonly string[], log: Logger): ModelRegistry {
  const registry = loadModels(dirs);
  for (const problem of registry.problems)
    log.warn('device model problem, left out', {
      file: problem.file,
      path: problem.path,
      code: problem.code,
      reason: problem.message,
    });
  return registry;
}

/** The valid profiles in `dirs` by model name (see loadModelRegistry). */
export function loadProfiles(dirs: readonly string[], log: Logger): Map<string, DeviceProfile> {
  return loadModelRegistry(dirs, log).profiles;
}
