// Every place a file names another module, as ESLint sees it: imports (type-only ones too),
// re-exports, `import x = require()`, `import('x').T` types and dynamic `import()`.
// Both boundary rules (workspace-boundaries, no-import-cycle) look at the same list.

/**
 * @typedef {'static' | 'type' | 'dynamic'} ReferenceKind
 * @typedef {{ node: object, specifier: string, kind: ReferenceKind }} ModuleReference
 */

/** @param {any} node @returns {string | undefined} */
const stringValue = (node) =>
  node && node.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined;

/**
 * ESLint visitors that call `onReference` once per module reference in the file.
 * @param {(reference: ModuleReference) => void} onReference
 */
export function moduleReferenceVisitors(onReference) {
  /** @param {any} node @param {any} source @param {ReferenceKind} kind */
  const report = (node, source, kind) => {
    const specifier = stringValue(source);
    if (specifier !== undefined) onReference({ node, specifier, kind });
  };
  return {
    /** @param {any} node */
    ImportDeclaration(node) {
      const typeOnly =
        node.importKind === 'type' ||
        (node.specifiers.length > 0 && node.specifiers.every((/** @type {any} */ s) => s.importKind === 'type'));
      report(node, node.source, typeOnly ? 'type' : 'static');
    },
    /** @param {any} node */
    ExportNamedDeclaration(node) {
      if (node.source) report(node, node.source, node.exportKind === 'type' ? 'type' : 'static');
    },
    /** @param {any} node */
    ExportAllDeclaration(node) {
      report(node, node.source, node.exportKind === 'type' ? 'type' : 'static');
    },
    /** @param {any} node */
    TSImportEqualsDeclaration(node) {
      if (node.moduleReference.type === 'TSExternalModuleReference')
        report(node, node.moduleReference.expression, node.importKind === 'type' ? 'type' : 'static');
    },
    /** @param {any} node */
    TSImportType(node) {
      report(node, node.argument?.literal ?? node.argument, 'type');
    },
    /** @param {any} node */
    ImportExpression(node) {
      report(node, node.source, 'dynamic');
    },
  };
}
