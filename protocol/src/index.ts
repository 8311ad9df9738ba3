// Browser-safe entry. Node-only signing lives at '@touchpoint/protocol/signing'.
export * from './errors.js';
export * from './ids.js';
export * from './topics.js';
export * from './codec.js';
export * from './canonical.js';
export * from './profile.js';
export * from './cli.js';
export * from './messages/base.js';
export * from './messages/presence.js';
export * from './messages/diagnostics.js';
export * from './messages/events.js';
export * from './messages/command.js';
export * from './messages/case.js';
export * from './messages/signal.js';
export * from './messages/local-ui.js';
export * from './messages/help-ui.js';
export * from './flow/index.js';
