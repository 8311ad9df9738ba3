// The console HTTP API contract (`/api/*`): request, response and live-event schemas.
export * from './common.js';
export * from './auth.js';
export * from './devices.js';
export * from './commands.js';
export * from './cases.js';
export * from './bundles.js';
export * from './chat.js';
export * from './audit.js';
export * from './case-history.js';
export * from './kpis.js';
export * from './staff.js';
export * from './integrations.js';
export * from './webhooks.js';
export * from './flows.js';
export * from './live.js';
export * from './rollouts.js';
export * from './simulator.js';
