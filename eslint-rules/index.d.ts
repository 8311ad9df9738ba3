// Types for the plugin (the rules are plain JS so that eslint.config.js loads them without a build).
import type { ESLint } from 'eslint';

declare const plugin: ESLint.Plugin;
export default plugin;
