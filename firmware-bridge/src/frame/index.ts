export * from './constants.js';
export * from './crc16.js';
export * from './cobs.js';
export * from './frame.js';
export * from './parser.js';
export * from './records.js';
