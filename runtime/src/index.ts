/**
 * @touchpoint/runtime: what every Touchpoint Node process shares and the I/O-free protocol
 * package may not hold (issue 14, "one home for each shared concept"). Models are read by
 * @touchpoint/models; pure rules (backoff, action parameter defaults) stay in protocol.
 */
export { parseCommandArgs, runCommand } from './cli-runner.js';
export { numberOption, portOption, type NumberRule } from './number-option.js';
export { createProcessLogger, envLogLevel, stderrSink, stdioSink } from './logger.js';
export { readContentKeyFile } from './content-key-file.js';
export { SafeEventEmitter, type EventMap, type ListenerErrorHandler } from './safe-emitter.js';
