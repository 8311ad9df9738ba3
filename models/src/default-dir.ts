import { statSync } from 'node:fs';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The models bundled with Touchpoint (the repository's examples/), resolved
 * once here so no reader hard-codes the path (issue 14, "The model registry").
 */
export const DEFAULT_MODELS_DIR: string = fileURLToPath(new URL('../../examples', import.meta.url));

/**
 * The models dirs a command uses, the same for `touchpoint broker`, the demo
 * and the signer: the ones given by flag (--models-dir, repeatable), else the
 * colon-separated env value (TP_MODELS_DIR), then always the bundled
 * examples. A maker's model of the same name as a bundled one wins, because
 * the first folder that declares a model is the one used (see loadModels).
 */
export function resolveModelsDirs(given: readonly string[] = [], env: string | undefined = undefined): string[] {
  const fromEnv = (env ?? '').split(':').filter((d) => d.trim() !== '');
  const dirs = (given.length > 0 ? given : fromEnv).map((d) => resolve(d));
  dirs.push(DEFAULT_MODELS_DIR);
  return [...new Set(dirs)];
}

/** The first of `dirs` that is not a folder: a command refuses to start on a mistyped --models-dir instead of quietly loading none of it. */
export function missingModelsDir(dirs: readonly string[]): string | undefined {
  return dirs.find((dir) => {
    try {
      return !statSync(dir).isDirectory();
    } catch {
      return true;
    }
  });
}

/**
 * resolveModelsDirs, refusing a dir that is not a folder with the message every command gives: what
 * `touchpoint broker`, `fleet-worker` and the demo call with their --models-dir values and TP_MODELS_DIR.
 */
export function requireModelsDirs(given: readonly string[] = [], env: string | undefined = undefined): string[] {
  const dirs = resolveModelsDirs(given, env);
  const missing = missingModelsDir(dirs);
  if (missing !== undefined)
    throw new TouchpointError(
      ErrorCode.NOT_FOUND,
      `models dir ${missing} (--models-dir or TP_MODELS_DIR) is not a folder`,
    );
  return dirs;
}
