import { LitElement, css, html, nothing } from 'lit';
import { diffContent } from '@touchpoint/protocol';
import type {
  ContentBody,
  ContentModelResponse,
  ContentVersionResponse,
  FlowProblem,
  HelpFlow,
  ProposalView,
  StaffView,
} from '@touchpoint/protocol';
import { checkDraft } from '../common/check-draft.js';
import { routeHref } from '../common/route.js';
import '../components/tpc-content-diff.js';
import '../components/tpc-flow-preview.js';
import '../components/tpc-json-editor.js';
import type { JsonEditorChange } from '../components/tpc-json-editor.js';
import '../components/tpc-proposal-list.js';
import '../components/tpc-version-history.js';
import { sharedStyles } from '../components/shared-styles.js';
import {
  approveVersion,
  createDraft,
  fetchContentModel,
  fetchContentModels,
  fetchContentRoles,
  fetchContentVersion,
  fetchProposals,
  proposeVersion,
  rejectVersion,
  saveDraft,
} from '../data/content.js';
import { LocaleController } from '../i18n/locale-controller.js';

type Role = 'editor' | 'reviewer';

/**
 * The flow studio (issue 18, docs/help-lifecycle.md): a model's help content versions with their history,
 * a flow file of the chosen version in a JSON editor with the validator's problems live at their paths,
 * the preview as on the touchscreen, the diff against the version it started from, the proposals with
 * their evidence, and the review: editors draft and propose, a second person with the reviewer role
 * approves or rejects (the broker enforces both; the buttons only follow it).
 */
export class TpcStudioPanel extends LitElement {
  static override properties = {
    me: { attribute: false },
    model: {},
    versionId: {},
    _models: { state: true },
    _data: { state: true },
    _version: { state: true },
    _parent: { state: true },
    _roles: { state: true },
    _file: { state: true },
    _text: { state: true },
    _summary: { state: true },
    _problems: { state: true },
    _flow: { state: true },
    _body: { state: true },
    _proposals: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _notice: { state: true },
  };
  declare me: StaffView;
  declare model: string;
  declare versionId: string;
  declare _models: { model: string; flows: number; baseline: number | null }[];
  declare _data: ContentModelResponse | undefined;
  declare _version: ContentVersionResponse['version'] | undefined;
  declare _parent: ContentBody | undefined;
  declare _roles: Role[];
  declare _file: string;
  declare _text: string;
  declare _summary: string;
  declare _problems: FlowProblem[];
  declare _flow: HelpFlow | undefined;
  declare _body: ContentBody | undefined;
  declare _proposals: ProposalView[];
  declare _busy: boolean;
  declare _error: string | undefined;
  declare _notice: string | undefined;

  private readonly i18n = new LocaleController(this);
  private loadedKey = '';

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 14px;
      }
      .row {
        display: flex;
        gap: 10px;
        flex-wrap: wrap;
        align-items: center;
      }
      .columns {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 14px;
      }
      tpc-json-editor {
        display: block;
        border: 1px solid var(--tp-border);
        border-radius: var(--tp-radius);
        max-height: 480px;
        overflow: auto;
      }
      .problems li {
        font-family: var(--tp-mono);
        font-size: 0.85rem;
      }
      .ok {
        color: var(--tp-ok, #146c2e);
      }
      .files button[aria-pressed='true'] {
        font-weight: 700;
      }
      input.summary {
        min-width: 24em;
      }
    `,
  ];

  constructor() {
    super();
    this.model = '';
    this.versionId = '';
    this._models = [];
    this._roles = [];
    this._file = '';
    this._text = '';
    this._summary = '';
    this._problems = [];
    this._proposals = [];
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.guard(async () => {
      this._roles = await fetchContentRoles();
      this._models = await fetchContentModels();
    });
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if ((changed.has('model') || changed.has('versionId')) && this.model) {
      const key = `${this.model}/${this.versionId}`;
      if (key !== this.loadedKey) {
        this.loadedKey = key;
        void this.guard(() => this.load());
      }
    }
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    this._busy = true;
    try {
      await work();
      this._error = undefined;
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private async load(): Promise<void> {
    const data = await fetchContentModel(this.model);
    this._data = data;
    this._proposals = await fetchProposals(this.model);
    const chosen = data.versions.find((v) => v.id === this.versionId) ?? data.versions[0];
    if (!chosen) return;
    await this.show((await fetchContentVersion(chosen.id)).version);
  }

  /** Shows a version: its first (or the same) flow file in the editor, its parent's body for the diff. */
  private async show(version: ContentVersionResponse['version']): Promise<void> {
    this._version = version;
    this._summary = version.summary;
    this._parent = version.parentId ? (await fetchContentVersion(version.parentId)).version.body : undefined;
    const files = Object.keys(version.body.flows).sort();
    // A reviewer opening a version starts on the first flow it changed.
    const changed = this._parent ? diffContent(this._parent, version.body).flows[0]?.file : undefined;
    this.openFile(files.includes(this._file) ? this._file : (changed ?? files[0] ?? ''));
  }

  private openFile(file: string): void {
    this._file = file;
    this._text = this._version ? `${JSON.stringify(this._version.body.flows[file], null, 2)}\n` : '';
    this.recheck();
  }

  private recheck(): void {
    if (!this._version || !this._data) return;
    const result = checkDraft(this._version.body, this._file, this._text, this._data.profile);
    this._problems = result.problems;
    this._flow = result.flow;
    this._body = result.body;
  }

  private onEdit(e: JsonEditorChange): void {
    this._text = e.text;
    this.recheck();
  }

  private get canEdit(): boolean {
    return this._version?.status === 'draft' && this._version.author === this.me.id && this._roles.includes('editor');
  }

  private get ownVersion(): boolean {
    return this._version?.author === this.me.id;
  }

  /** After a change: the version as the broker now has it, and the history. */
  private async reload(version: ContentVersionResponse['version'], notice: string): Promise<void> {
    this._data = await fetchContentModel(this.model);
    this.loadedKey = `${this.model}/${version.id}`;
    if (this.versionId !== version.id)
      location.hash = routeHref({ view: 'studio', model: this.model, versionId: version.id });
    await this.show(version);
    this._notice = notice;
  }

  private newDraft(): Promise<void> {
    const t = this.i18n.t;
    return this.guard(async () => {
      const base = this._version!;
      const summary = t('studio.draftSummary', { file: this._file });
      const { version } = await createDraft(this.model, base.id, base.body, summary);
      await this.reload(version, t('studio.draftCreated', { number: version.number }));
    });
  }

  private save(): Promise<void> {
    const t = this.i18n.t;
    return this.guard(async () => {
      if (!this._body) throw new Error(t('studio.notJson'));
      const { version } = await saveDraft(this._version!.id, this._body, this._summary);
      await this.reload(version, t('studio.saved', { number: version.number }));
    });
  }

  private propose(): Promise<void> {
    const t = this.i18n.t;
    return this.guard(async () => {
      if (!this._body) throw new Error(t('studio.notJson'));
      await saveDraft(this._version!.id, this._body, this._summary);
      const { version } = await proposeVersion(this._version!.id);
      await this.reload(version, t('studio.proposed', { number: version.number }));
    });
  }

  private decide(approve: boolean): Promise<void> {
    const t = this.i18n.t;
    const note = (this.renderRoot.querySelector<HTMLInputElement>('#review-note')?.value ?? '').trim();
    return this.guard(async () => {
      if (!approve && !note) throw new Error(t('studio.rejectNeedsNote'));
      const { version } = approve
        ? await approveVersion(this._version!.id, note || undefined)
        : await rejectVersion(this._version!.id, note);
      await this.reload(version, t(approve ? 'studio.approved' : 'studio.rejected', { number: version.number }));
    });
  }

  protected override render() {
    const t = this.i18n.t;
    if (!this.model) return this.modelList();
    const v = this._version;
    return html`
      <div class="row">
        <h1>${t('studio.title')}: ${this.model}</h1>
        <a href=${routeHref({ view: 'studio' })}>${t('studio.allModels')}</a>
        <span class="muted"
          >${t('studio.yourRoles', { roles: this._roles.length ? this._roles.join(', ') : '—' })}</span
        >
      </div>
      ${this._error ? html`<p class="error-box" role="alert">${this._error}</p>` : nothing}
      ${this._notice ? html`<p class="notice" role="status">${this._notice}</p>` : nothing}
      <section class="card">
        <tpc-version-history .versions=${this._data?.versions ?? []} selected=${v?.id ?? ''}></tpc-version-history>
      </section>
      ${v ? this.versionView(v) : nothing}
      <section class="card">
        <h2>${t('studio.proposals')}</h2>
        <tpc-proposal-list .proposals=${this._proposals}></tpc-proposal-list>
      </section>
    `;
  }

  private modelList() {
    const t = this.i18n.t;
    return html`<h1>${t('studio.title')}</h1>
      ${this._error ? html`<p class="error-box" role="alert">${this._error}</p>` : nothing}
      <section class="card">
        <table>
          <thead>
            <tr>
              <th scope="col">${t('studio.model')}</th>
              <th scope="col">${t('studio.flows')}</th>
              <th scope="col">${t('studio.liveVersion')}</th>
            </tr>
          </thead>
          <tbody>
            ${this._models.map(
              (m) =>
                html`<tr>
                  <td><a href=${routeHref({ view: 'studio', model: m.model })}>${m.model}</a></td>
                  <td>${m.flows}</td>
                  <td>${m.baseline === null ? t('studio.notOpened') : `v${m.baseline}`}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`;
  }

  private versionView(v: ContentVersionResponse['version']) {
    const t = this.i18n.t;
    const files = Object.keys(v.body.flows).sort();
    const fileProblems = this._problems.filter((p) => p.file === this._file);
    return html`
      <section class="card">
        <div class="row">
          <h2>v${v.number} · ${t(`studio.status.${v.status}`)}</h2>
          ${this.actions(v)}
        </div>
        ${
          this.canEdit
            ? html`<label
                >${t('studio.summary')}
                <input
                  class="summary"
                  id="summary"
                  .value=${this._summary}
                  @input=${(e: Event) => (this._summary = (e.target as HTMLInputElement).value)}
              /></label>`
            : html`<p>${v.summary}</p>`
        }
        <div class="row files" role="group" aria-label=${t('studio.flowFiles')}>
          ${files.map(
            (f) =>
              html`<button
                aria-pressed=${f === this._file ? 'true' : 'false'}
                data-file=${f}
                @click=${() => this.openFile(f)}
              >
                ${f}
              </button>`,
          )}
        </div>
        <div class="columns">
          <tpc-json-editor
            label=${t('studio.editorLabel', { file: this._file })}
            .value=${this._text}
            .problems=${fileProblems}
            ?readonly=${!this.canEdit}
            @tpc-json-change=${(e: JsonEditorChange) => this.onEdit(e)}
          ></tpc-json-editor>
          <div id="problems" aria-live="polite">
            ${
              this._problems.length === 0
                ? html`<p class="ok">${t('studio.noProblems')}</p>`
                : html`<p>${t('studio.problemCount', { count: this._problems.length })}</p>
                    <ul class="problems">
                      ${this._problems.map(
                        (p) => html`<li data-path=${p.path}>${p.file}: ${p.path || '—'}: ${p.message} (${p.code})</li>`,
                      )}
                    </ul>`
            }
          </div>
        </div>
      </section>
      <section class="card">
        <h2>${t('studio.preview')}</h2>
        ${
          this._flow
            ? html`<tpc-flow-preview
                .flow=${this._flow}
                .profile=${this._data?.profile}
                .body=${this._body}
              ></tpc-flow-preview>`
            : html`<p class="muted">${t('studio.previewNeedsValidFlow')}</p>`
        }
      </section>
      <section class="card">
        <h2>${t('studio.diffTitle', { number: v.number })}</h2>
        ${
          this._parent
            ? html`<tpc-content-diff .from=${this._parent} .to=${this._body ?? v.body}></tpc-content-diff>`
            : html`<p class="muted">${t('studio.diffFirst')}</p>`
        }
      </section>
    `;
  }

  private actions(v: ContentVersionResponse['version']) {
    const t = this.i18n.t;
    const busy = this._busy;
    const editor = this._roles.includes('editor');
    const reviewer = this._roles.includes('reviewer');
    return html`
      ${
        editor && v.status !== 'draft'
          ? html`<button id="new-draft" ?disabled=${busy} @click=${() => void this.newDraft()}>
              ${t('studio.newDraft')}
            </button>`
          : nothing
      }
      ${
        this.canEdit
          ? html`<button id="save" ?disabled=${busy || !this._body} @click=${() => void this.save()}>
                ${t('studio.save')}
              </button>
              <button
                id="propose"
                class="primary"
                ?disabled=${busy || this._problems.length > 0}
                @click=${() => void this.propose()}
              >
                ${t('studio.propose')}
              </button>`
          : nothing
      }
      ${
        v.status === 'proposed' && reviewer
          ? this.ownVersion
            ? html`<span class="muted" id="own-version">${t('studio.fourEyes')}</span>`
            : html`<input id="review-note" aria-label=${t('studio.reviewNote')} placeholder=${t('studio.reviewNote')} />
                <button id="reject" ?disabled=${busy} @click=${() => void this.decide(false)}>
                  ${t('studio.reject')}
                </button>
                <button id="approve" class="primary" ?disabled=${busy} @click=${() => void this.decide(true)}>
                  ${t('studio.approve')}
                </button>`
          : nothing
      }
    `;
  }
}

customElements.define('tpc-studio-panel', TpcStudioPanel);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-studio-panel': TpcStudioPanel;
  }
}
