// Help flows: the authoring format, the condition language and the validator. Pure, browser-safe.
export * from './schema.js';
export * from './condition.js';
export * from './graph.js';
export * from './problems.js';
export * from './validate.js';
export * from './validate-profile.js';
export * from './localize.js';
export * from './diff.js';
