import { LitElement, html } from 'lit';
import { basicSetup } from 'codemirror';
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { jsonPathRange } from '../common/json-path-range.js';

/** A problem to mark in the text: a validator problem at its JSON path. */
export interface EditorProblem {
  path: string;
  message: string;
}

/** Raised on every edit with the whole text. */
export class JsonEditorChange extends Event {
  static readonly type = 'tpc-json-change';
  constructor(readonly text: string) {
    super(JsonEditorChange.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'tpc-json-change': JsonEditorChange;
  }
}

/**
 * The flow studio's editor (issue 18): CodeMirror 6 with JSON support; the validator's problems, which the
 * panel computes, are shown where their JSON path points (jsonPathRange), in the gutter and underlined.
 * The element renders into its light DOM: CodeMirror's own styles are scoped to the editor and need no
 * shadow root (and adopting them there would need inline styles, which the console's CSP refuses).
 */
export class TpcJsonEditor extends LitElement {
  static override properties = {
    value: {},
    problems: { attribute: false },
    readonly: { type: Boolean },
    label: {},
  };
  declare value: string;
  declare problems: EditorProblem[];
  declare readonly: boolean;
  declare label: string;

  private view: EditorView | undefined;
  private readonly editable = new Compartment();

  constructor() {
    super();
    this.value = '';
    this.problems = [];
    this.readonly = false;
    this.label = '';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override render() {
    return html``;
  }

  protected override firstUpdated(): void {
    this.view = new EditorView({
      parent: this,
      state: EditorState.create({
        doc: this.value,
        extensions: [
          basicSetup,
          json(),
          lintGutter(),
          this.editable.of([EditorState.readOnly.of(this.readonly), EditorView.editable.of(!this.readonly)]),
          EditorView.contentAttributes.of({ 'aria-label': this.label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) this.dispatchEvent(new JsonEditorChange(u.state.doc.toString()));
          }),
        ],
      }),
    });
    this.showProblems();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const view = this.view;
    if (!view) return;
    if (changed.has('value') && this.value !== view.state.doc.toString())
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: this.value } });
    if (changed.has('readonly'))
      view.dispatch({
        effects: this.editable.reconfigure([
          EditorState.readOnly.of(this.readonly),
          EditorView.editable.of(!this.readonly),
        ]),
      });
    if (changed.has('problems') || changed.has('value')) this.showProblems();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.destroy();
    this.view = undefined;
  }

  private showProblems(): void {
    const view = this.view;
    if (!view) return;
    const text = view.state.doc.toString();
    const diagnostics: Diagnostic[] = this.problems.map((p) => {
      const { from, to } = jsonPathRange(text, p.path);
      return { from, to, severity: 'error', message: p.path ? `${p.path}: ${p.message}` : p.message };
    });
    view.dispatch(setDiagnostics(view.state, diagnostics));
  }
}

customElements.define('tpc-json-editor', TpcJsonEditor);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-json-editor': TpcJsonEditor;
  }
}
