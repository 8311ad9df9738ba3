export * from './config.js';
export * from './virtual-mcu.js';
export * from './sim-binding.js';
export * from './pty.js';
export * from './serial-wire.js';
export * from './control.js';
export * from './model.js';
export * from './start.js';
