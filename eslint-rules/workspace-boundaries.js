// touchpoint/workspace-boundaries: a workspace uses another one only through that workspace's
// package entries (`@touchpoint/x` or a subpath its package.json `exports` lists), never by a
// path into its folder (`../../console/src/...`) or an unexported subpath
// (`@touchpoint/console/src/...`); and only in the direction docs/architecture.md draws
// ("The one-way dependency rule", issue 14).
import { dirname, resolve } from 'node:path';
import { moduleReferenceVisitors } from './module-references.js';
import { readWorkspaces, workspaceImport, workspaceOf } from './workspaces.js';

const DOC = 'docs/architecture.md, "The one-way dependency rule"';

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: {
      description: 'Import another workspace only through its package entries, and only in the allowed direction',
    },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          dependencies: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        required: ['root', 'dependencies'],
        additionalProperties: false,
      },
    ],
    messages: {
      byPath: "'{{specifier}}' reaches into the {{target}} workspace by path. {{how}}; see " + DOC + '.',
      notExported:
        "'{{specifier}}' is not an entry of {{name}}. {{how}}; never import another workspace's src/ (see " +
        DOC +
        ').',
      direction:
        '{{from}} may not depend on {{name}}: dependencies point one way, and {{from}} may import {{allowed}}. See ' +
        DOC +
        '.',
    },
  },
  create(context) {
    const { root, dependencies } = /** @type {{ root: string, dependencies: Record<string, string[]> }} */ (
      context.options[0]
    );
    const workspaces = readWorkspaces(root);
    const file = context.physicalFilename;
    const from = workspaceOf(workspaces, file);
    /** @param {import('./workspaces.js').Workspace} ws */
    const howToImport = (ws) =>
      ws.exports.size === 0
        ? `${ws.name} has no package entry: add one to its package.json "exports" and import that`
        : `Import it through its package entry (${[...ws.exports.keys()].map((sub) => `'${ws.name}${sub.slice(1)}'`).join(', ')})`;

    return moduleReferenceVisitors(({ node, specifier }) => {
      const reportAt = /** @type {import('estree').Node} */ (node);
      if (specifier.startsWith('.')) {
        // Root tooling (scripts/, configs) sits outside every workspace and may read any of them.
        if (!from) return;
        const target = workspaceOf(workspaces, resolve(dirname(file), specifier));
        if (target && target !== from)
          context.report({
            node: reportAt,
            messageId: 'byPath',
            data: { specifier, target: target.dir, how: howToImport(target) },
          });
        return;
      }
      const imported = workspaceImport(workspaces, specifier);
      if (!imported) return;
      const { workspace, subpath } = imported;
      if (!workspace.exports.has(subpath)) {
        context.report({
          node: reportAt,
          messageId: 'notExported',
          data: { specifier, name: workspace.name, how: howToImport(workspace) },
        });
        return;
      }
      // A workspace missing from the map (a new one) is judged on paths and entries only, in both
      // directions, until eslint.config.js places it.
      const allowed = from && from !== workspace && workspace.dir in dependencies ? dependencies[from.dir] : undefined;
      if (allowed && !allowed.includes(workspace.dir)) {
        const names = allowed.map((dir) => workspaces.find((ws) => ws.dir === dir)?.name ?? dir);
        context.report({
          node: reportAt,
          messageId: 'direction',
          data: {
            from: from?.dir ?? '',
            name: workspace.name,
            allowed: names.length ? names.join(', ') : 'no other workspace',
          },
        });
      }
    });
  },
};
