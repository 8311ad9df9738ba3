import { html, type TemplateResult } from 'lit';

/** A column heading; `hidden` ones are read by screen readers only (an actions column). */
export type ListColumn = string | { hidden: string };

export interface ListTableSpec<T> {
  /** `undefined` while the first load is under way. */
  items: readonly T[] | undefined;
  loading: string;
  empty: string;
  columns: readonly ListColumn[];
  row: (item: T) => TemplateResult;
}

/** A loaded list as a table, or the words for "still loading" and "nothing here". */
export function listTable<T>(spec: ListTableSpec<T>): TemplateResult {
  if (spec.items === undefined) return html`<p class="muted">${spec.loading}</p>`;
  if (spec.items.length === 0) return html`<p class="muted">${spec.empty}</p>`;
  return html`<table>
    <thead>
      <tr>
        ${spec.columns.map((c) =>
          typeof c === 'string' ? html`<th>${c}</th>` : html`<th><span class="visually-hidden">${c.hidden}</span></th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${spec.items.map((item) => spec.row(item))}
    </tbody>
  </table>`;
}
