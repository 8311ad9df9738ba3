/**
 * @touchpoint/models: the one Node-side reader of device models (issue 14,
 * "The model registry"). protocol stays I/O-free; this package reads the
 * files and checks them with protocol's schemas and flow validator.
 */
export { DEFAULT_MODELS_DIR, missingModelsDir, requireModelsDirs, resolveModelsDirs } from './default-dir.js';
export { loadModel, readProfile, type LoadedModel, type LoadModelOptions, type SimulatorFile } from './load-model.js';
export { loadModels, modelFolders, type ModelRegistry } from './load-models.js';
export { ModelProblemCode, formatModelProblem, type ModelProblem } from './problems.js';
