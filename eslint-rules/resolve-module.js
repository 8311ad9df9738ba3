// Resolves a module specifier to the source file it names, as TypeScript's NodeNext resolution
// does in this repository: './x.js' is './x.ts' when that exists, and '@touchpoint/x/sub' is the
// file its package.json exports for './sub'. Other packages (node_modules) resolve to undefined:
// they cannot import our files back, so no cycle runs through them.
import { statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { workspaceImport } from './workspaces.js';

/** @param {string} path */
function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** @param {string} base @returns {string[]} */
function candidates(base) {
  const ext = extname(base);
  if (/^\.[mc]?jsx?$/.test(ext)) return [base.slice(0, -ext.length) + ext.replace('js', 'ts'), base];
  if (ext === '.ts' || ext === '.tsx' || ext === '.mts' || ext === '.cts' || ext === '.json') return [base];
  return [`${base}.ts`, `${base}.tsx`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`];
}

/**
 * @param {import('./workspaces.js').Workspace[]} workspaces
 * @param {string} fromFile absolute path of the importing file
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function resolveModule(workspaces, fromFile, specifier) {
  if (specifier.startsWith('.')) return candidates(resolve(dirname(fromFile), specifier)).find(isFile);
  const imported = workspaceImport(workspaces, specifier);
  return imported ? imported.workspace.exports.get(imported.subpath) : undefined;
}
