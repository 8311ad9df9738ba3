// The npm workspaces of this repository, read from the manifests: where each one lives, its
// package name and the entries its package.json `exports` lists. Both boundary rules use it to
// tell which workspace a file belongs to and to resolve `@touchpoint/...` imports the way Node does.
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * @typedef {object} Workspace
 * @property {string} dir      folder name under the root, e.g. 'device-agent'
 * @property {string} absDir   absolute path of that folder
 * @property {string} name     package name, e.g. '@touchpoint/device-agent'
 * @property {Map<string, string>} exports  subpath ('.', './sim') -> absolute file
 */

/** @type {Map<string, Workspace[]>} */
const byRoot = new Map();

/** @param {string} root @returns {Workspace[]} */
export function readWorkspaces(root) {
  const cached = byRoot.get(root);
  if (cached) return cached;
  /** @type {{ workspaces?: string[] }} */
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const workspaces = (manifest.workspaces ?? []).map((dir) => {
    const absDir = join(root, dir);
    /** @type {{ name: string, exports?: unknown }} */
    const pkg = JSON.parse(readFileSync(join(absDir, 'package.json'), 'utf8'));
    return { dir, absDir, name: pkg.name, exports: exportEntries(absDir, pkg.exports) };
  });
  byRoot.set(root, workspaces);
  return workspaces;
}

/**
 * The file each exported subpath points at. A string, a `{ ".": ..., "./x": ... }` map and
 * condition objects (`import` / `default`) are what Node accepts and all this repository uses.
 * @param {string} absDir @param {unknown} exportsField @returns {Map<string, string>}
 */
function exportEntries(absDir, exportsField) {
  /** @type {Map<string, string>} */
  const entries = new Map();
  if (exportsField === undefined) return entries;
  const map =
    typeof exportsField === 'string' || !Object.keys(exportsField ?? {}).some((k) => k.startsWith('.'))
      ? { '.': exportsField }
      : exportsField;
  for (const [subpath, target] of Object.entries(/** @type {Record<string, unknown>} */ (map))) {
    const file = conditionTarget(target);
    if (file) entries.set(subpath, join(absDir, file));
  }
  return entries;
}

/** @param {unknown} target @returns {string | undefined} */
function conditionTarget(target) {
  if (typeof target === 'string') return target;
  if (target && typeof target === 'object') {
    const conditions = /** @type {Record<string, unknown>} */ (target);
    return conditionTarget(conditions.import ?? conditions.default);
  }
  return undefined;
}

/** The workspace a file lies in, or undefined for root tooling (scripts/, configs). @param {Workspace[]} workspaces @param {string} file */
export function workspaceOf(workspaces, file) {
  return workspaces.find((ws) => {
    const rel = relative(ws.absDir, file);
    return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(':');
  });
}

/**
 * Splits '@touchpoint/firmware-bridge/sim' into its workspace and './sim'; undefined for a
 * specifier that names no workspace package.
 * @param {Workspace[]} workspaces @param {string} specifier
 * @returns {{ workspace: Workspace, subpath: string } | undefined}
 */
export function workspaceImport(workspaces, specifier) {
  for (const workspace of workspaces) {
    if (specifier === workspace.name) return { workspace, subpath: '.' };
    if (specifier.startsWith(`${workspace.name}/`))
      return { workspace, subpath: `.${specifier.slice(workspace.name.length)}` };
  }
  return undefined;
}
