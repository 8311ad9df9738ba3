import { jsonLanguage } from '@codemirror/lang-json';
/** A node of the JSON syntax tree (Lezer's SyntaxNode, named through the parser the editor uses). */
type SyntaxNode = NonNullable<ReturnType<typeof jsonLanguage.parser.parse>['topNode']['firstChild']>;

/**
 * Where a validator problem's JSON path (`steps.fill.next`, `choices.1.label.de`; protocol/src/flow/problems.ts)
 * sits in the JSON text the editor shows: the range of the value at the deepest part of the path that exists,
 * so a problem about a missing field marks the object that lacks it. Uses the editor's own JSON parser
 * (Lezer, from @codemirror/lang-json), so ranges match what the editor highlights. `''`: the whole document.
 */
export function jsonPathRange(text: string, path: string): { from: number; to: number } {
  const tree = jsonLanguage.parser.parse(text);
  let node: SyntaxNode | null = tree.topNode.firstChild;
  if (!node) return { from: 0, to: text.length };
  for (const key of path === '' ? [] : path.split('.')) {
    const child = childFor(node, key, text);
    if (!child) break;
    node = child;
  }
  return { from: node.from, to: node.to };
}

function childFor(node: SyntaxNode, key: string, text: string): SyntaxNode | null {
  if (node.name === 'Object') {
    for (let p = node.firstChild; p; p = p.nextSibling) {
      if (p.name !== 'Property') continue;
      const name = p.getChild('PropertyName');
      if (!name) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.slice(name.from, name.to));
      } catch {
        continue;
      }
      if (parsed === key) return name.nextSibling?.name === ':' ? name.nextSibling.nextSibling : lastValue(p);
    }
    return null;
  }
  if (node.name === 'Array' && /^\d+$/.test(key)) {
    let i = 0;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === '[' || c.name === ']' || c.name === ',' || c.type.isError) continue;
      if (i++ === Number(key)) return c;
    }
  }
  return null;
}

/** The value of a Property node (its last child that is not punctuation). */
function lastValue(property: SyntaxNode): SyntaxNode | null {
  let value: SyntaxNode | null = null;
  for (let c = property.firstChild; c; c = c.nextSibling) if (c.name !== 'PropertyName' && c.name !== ':') value = c;
  return value;
}
