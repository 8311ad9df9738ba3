import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DeviceProfile, HelpFlow } from '@touchpoint/protocol';
import { loadModel, type LoadedModel } from './load-model.js';
import { ModelProblemCode, type ModelProblem } from './problems.js';

/** Every model found in some models dirs, indexed the way the broker and the tools look them up. */
export interface ModelRegistry {
  /** Every model folder read, in the order found (dirs in order, folders by name). */
  models: LoadedModel[];
  /** Valid profiles by model name; the first folder that declares a model wins. */
  profiles: Map<string, DeviceProfile>;
  /** Valid flows by flow id, across models; the first one found wins. */
  flows: Map<string, HelpFlow>;
  /** Every problem in every model, plus missing dirs and duplicate models. */
  problems: ModelProblem[];
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/**
 * The model folders a models dir holds: the dir itself when it is a model
 * (has profile.json), else each sub-folder with a profile.json, by name.
 */
export function modelFolders(dir: string): string[] {
  const root = resolve(dir);
  if (existsSync(join(root, 'profile.json'))) return [root];
  if (!isDir(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'profile.json')))
    .map((e) => join(root, e.name))
    .sort();
}

/**
 * Loads every model in `dirs` (each a model folder or a folder of model
 * folders). Earlier dirs win over later ones, so a maker's dir listed before
 * the bundled examples overrides a bundled model of the same name.
 */
export function loadModels(dirs: readonly string[]): ModelRegistry {
  const registry: ModelRegistry = { models: [], profiles: new Map(), flows: new Map(), problems: [] };
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    if (!isDir(dir)) {
      registry.problems.push({
        file: resolve(dir),
        path: '',
        code: ModelProblemCode.MODELS_DIR_MISSING,
        message: 'models dir does not exist or is not a folder',
      });
      continue;
    }
    for (const folder of modelFolders(dir)) {
      const model = loadModel(folder);
      registry.problems.push(...model.problems);
      const profile = model.profile;
      if (profile !== undefined) {
        const name = profile.model;
        const first = seen.get(name);
        if (first !== undefined) {
          registry.problems.push({
            file: model.profileFile,
            path: 'model',
            code: ModelProblemCode.DUPLICATE_MODEL,
            message: `model "${name}" is already loaded from ${first}; this folder is ignored`,
          });
          continue;
        }
        seen.set(name, model.profileFile);
        registry.profiles.set(name, profile);
      }
      registry.models.push(model);
      for (const flow of model.flows) if (!registry.flows.has(flow.id)) registry.flows.set(flow.id, flow);
    }
  }
  return registry;
}
