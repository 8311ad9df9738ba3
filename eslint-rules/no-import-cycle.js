// touchpoint/no-import-cycle: no file may import, through any chain of imports, a file that
// imports it back. Type-only imports count (issue 14: agent.ts and the extensions' index.ts, and
// http/context.ts and live-hub.ts, imported each other's types): a cycle of types still means
// two files that cannot be understood, tested or moved apart, and the fix is the same, a file
// of its own for the shared piece. Dynamic `import()` is a deliberate lazy edge and not followed.
// import-x/no-cycle would do the walk, but it skips type-only imports unconditionally.
import { readFileSync, statSync } from 'node:fs';
import { extname, relative } from 'node:path';
import ts from 'typescript';
import { moduleReferenceVisitors } from './module-references.js';
import { resolveModule } from './resolve-module.js';
import { readWorkspaces } from './workspaces.js';

/** @typedef {import('./workspaces.js').Workspace} Workspace */

const SOURCE = /^\.[mc]?[jt]sx?$/;

/** file -> { mtimeMs, imports (resolved files) }; a file is parsed again only when it changed. @type {Map<string, { mtimeMs: number, imports: string[] }>} */
const graph = new Map();

/**
 * The files a file on disk imports (static and type-only; not dynamic `import()`).
 * @param {Workspace[]} workspaces @param {string} file @returns {string[]}
 */
function importsOnDisk(workspaces, file) {
  if (!SOURCE.test(extname(file))) return [];
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const known = graph.get(file);
  if (known && known.mtimeMs === mtimeMs) return known.imports;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  /** @type {string[]} */
  const specifiers = [];
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specifiers.push(node.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    )
      specifiers.push(node.moduleReference.expression.text);
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      specifiers.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const imports = [
    ...new Set(specifiers.map((s) => resolveModule(workspaces, file, s)).filter((f) => f !== undefined)),
  ];
  graph.set(file, { mtimeMs, imports });
  return imports;
}

/**
 * A chain of imports from `start` back to `target`, or undefined. `deadEnds` collects files known
 * not to lead back, so each file's walk visits every reachable file at most once.
 * @param {Workspace[]} workspaces @param {string} start @param {string} target @param {Set<string>} deadEnds
 * @returns {string[] | undefined}
 */
function pathBack(workspaces, start, target, deadEnds) {
  if (deadEnds.has(start)) return undefined;
  /** @type {Map<string, string>} */
  const parent = new Map();
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    const file = /** @type {string} */ (stack.pop());
    for (const next of importsOnDisk(workspaces, file)) {
      if (next === target) {
        const chain = [file];
        for (let at = parent.get(file); at !== undefined; at = parent.get(at)) chain.unshift(at);
        return chain;
      }
      if (seen.has(next) || deadEnds.has(next)) continue;
      seen.add(next);
      parent.set(next, file);
      stack.push(next);
    }
  }
  for (const file of seen) deadEnds.add(file);
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles, type-only imports included' },
    schema: [
      { type: 'object', properties: { root: { type: 'string' } }, required: ['root'], additionalProperties: false },
    ],
    messages: {
      cycle:
        'Import cycle: {{chain}}. Move what both sides need into a file of its own that both import (type-only imports count).',
    },
  },
  create(context) {
    const { root } = /** @type {{ root: string }} */ (context.options[0]);
    const workspaces = readWorkspaces(root);
    const file = context.physicalFilename;
    /** @type {Set<string>} */
    const deadEnds = new Set();
    /** @type {Set<string>} */
    const checked = new Set();
    /** @param {string} f */
    const show = (f) => relative(root, f);
    return moduleReferenceVisitors(({ node, specifier, kind }) => {
      if (kind === 'dynamic') return;
      const imported = resolveModule(workspaces, file, specifier);
      if (imported === undefined || imported === file || checked.has(imported)) return;
      checked.add(imported);
      const chain = pathBack(workspaces, imported, file, deadEnds);
      if (chain)
        context.report({
          node: /** @type {import('estree').Node} */ (node),
          messageId: 'cycle',
          data: { chain: [file, ...chain, file].map(show).join(' -> ') },
        });
    });
  },
};
