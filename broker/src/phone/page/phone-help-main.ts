// The customer's phone as a touchpoint (issue 17): claims the single-use link, then renders the device's
// help view (the same screen view model the touchscreen renders, resolved by the device's flow engine) and
// sends each tap to the device, where the flow runs.
import type {
  ChatEntryView,
  HelpCaseState,
  HelpScreenView,
  PhoneAccessClaimResponse,
  PhoneStep,
  PhoneStreamEvent,
  PhoneView,
} from '@touchpoint/protocol';
import { PHONE_STRINGS, phoneLocale, type PhoneStrings } from './phone-help-strings.js';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
let t: PhoneStrings = PHONE_STRINGS[phoneLocale(navigator.language)];

type Child = Node | string | false | undefined;
function el(tag: string, props: Record<string, string | boolean> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === false) continue;
    if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== false && child !== undefined) node.append(child);
  return node;
}

const present = (children: Child[]): (Node | string)[] =>
  children.filter((c): c is Node | string => c !== false && c !== undefined);

function button(label: string, onClick: () => void, props: Record<string, string | boolean> = {}): HTMLElement {
  const b = el('button', { type: 'button', ...props }, label);
  b.addEventListener('click', onClick);
  return b;
}

function status(text: string, state: string): void {
  document.body.dataset.phoneState = state;
  $('status').textContent = text;
  $('status').classList.toggle('refused', state === 'refused');
}

async function post<T>(path: string, body: unknown, key?: string): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(data.error?.message ?? `HTTP ${res.status}`);
  return data;
}

/** Server-sent events over fetch, so the bearer key travels in a header and never in a URL. */
async function follow(path: string, key: string, onEvent: (e: PhoneStreamEvent) => void): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      buffer = buffer.slice(end + 2);
      if (data) onEvent(JSON.parse(data) as PhoneStreamEvent);
    }
  }
}

function screenBody(s: HelpScreenView, view: PhoneView, step: (x: PhoneStep) => void): Child[] {
  const id = s.sessionId;
  const wait = s.busy;
  switch (s.kind) {
    case 'idle':
      return [];
    case 'info':
      return [
        el('p', {}, s.text),
        s.imageAlt && el('p', { class: 'note' }, s.imageAlt),
        button(t.next, () => step({ type: 'next', sessionId: id }), { class: 'primary', disabled: wait }),
      ];
    case 'question':
      return [
        el('p', {}, s.text),
        ...s.choices.map((c) =>
          button(c.label, () => step({ type: 'choose', sessionId: id, choiceId: c.id }), { disabled: wait }),
        ),
      ];
    case 'check':
      return [el('p', {}, s.text), el('p', { class: 'note' }, t.checking)];
    case 'action':
      if (s.phase !== 'confirm')
        return [
          el('p', {}, s.text),
          el('p', { class: 'note' }, s.phase === 'running' ? t.running : t.verifying),
          s.actionProgress !== null && el('progress', { max: '100', value: String(s.actionProgress) }),
        ];
      return [
        el('h3', {}, s.action.label),
        el('p', {}, s.confirm),
        view.confirmOnPhone
          ? el(
              'div',
              { class: 'row' },
              button(t.cancel, () => step({ type: 'cancel', sessionId: id }), { disabled: wait }),
              button(t.run, () => step({ type: 'confirm', sessionId: id }), { class: 'primary', disabled: wait }),
            )
          : el('p', { class: 'note', 'data-confirm-on-device': true }, t.confirmOnDevice),
      ];
    case 'outcome':
      return [
        el('p', {}, s.text),
        s.result === 'escalate' && view.case === null && el('p', { class: 'note' }, t.escalate),
        s.canRate
          ? button(t.next, () => step({ type: 'next', sessionId: id }), { class: 'primary', disabled: wait })
          : button(t.close, () => step({ type: 'close' })),
      ];
    case 'rate': {
      let ces = 0;
      const scale = el('div', { class: 'scale', role: 'group', 'aria-label': s.question });
      for (let n = s.scale.min; n <= s.scale.max; n++) {
        const b = button(String(n), () => {
          ces = n;
          for (const other of scale.children) other.setAttribute('aria-pressed', String(other === b));
        });
        b.setAttribute('aria-pressed', 'false');
        scale.append(b);
      }
      const answer = (helped: boolean) => ces > 0 && step({ type: 'rate', sessionId: id, ces, helped });
      return [
        el('p', {}, s.question),
        scale,
        el('p', { class: 'note' }, `${s.scale.lowLabel} … ${s.scale.highLabel}`),
        el('p', {}, s.helpedQuestion),
        el(
          'div',
          { class: 'row' },
          button(t.no, () => answer(false)),
          button(t.yes, () => answer(true)),
        ),
      ];
    }
    case 'done':
      return [el('p', {}, s.text), button(t.close, () => step({ type: 'close' }))];
  }
}

function renderCase(c: HelpCaseState | null): void {
  const box = $('case');
  box.hidden = c === null;
  if (!c) return;
  const word = c.status ? t.caseStatus[c.status] : t.caseStatus[c.delivery === 'sent' ? 'open' : c.delivery];
  box.replaceChildren(
    el('h2', {}, t.caseTitle),
    el('p', { 'data-case-status': c.status ?? c.delivery }, c.agentName ? `${word} (${c.agentName})` : word),
  );
}

/**
 * A call from support: the video hand-off's own single-use link opens the call page in a new tab, which
 * asks for consent to camera and microphone for this call; this page and its access stay as they are.
 */
function renderCall(call: PhoneView['call']): void {
  const box = $('call');
  box.hidden = call === null;
  if (!call) return;
  box.replaceChildren(
    el('h2', {}, t.callTitle),
    el('p', {}, t.callWho.replace('{name}', call.staffName)),
    call.url
      ? el(
          'a',
          { class: 'button', id: 'call-join', href: call.url, target: '_blank', rel: 'noopener noreferrer' },
          t.callJoin,
        )
      : el('p', { class: 'note' }, t.callOnDevice),
  );
}

function render(view: PhoneView, step: (x: PhoneStep) => void): void {
  const locale = phoneLocale(view.screen?.locale ?? navigator.language);
  t = PHONE_STRINGS[locale];
  document.documentElement.lang = locale;
  $('device').textContent = view.device.name[locale] ?? view.device.name.en ?? 'Touchpoint';
  renderCase(view.case);
  renderCall(view.call);
  const s = view.screen;
  const screen = $('screen');
  const home = $('home');
  screen.hidden = s === null || s.kind === 'idle';
  home.hidden = !screen.hidden;
  if (s && s.kind !== 'idle') {
    screen.dataset.kind = s.kind;
    screen.dataset.step = s.stepId ?? '';
    screen.replaceChildren(
      ...present([
        el('h2', {}, s.title),
        el('progress', { max: '100', value: String(s.progress), 'aria-hidden': 'true' }),
        ...screenBody(s, view, step),
        s.canGoBack &&
          !s.busy &&
          s.outcome === null &&
          button(t.back, () => step({ type: 'back', sessionId: s.sessionId }), { class: 'back' }),
      ]),
    );
    return;
  }
  home.replaceChildren(
    el('h2', {}, t.topics),
    ...view.flows
      .filter((f) => f.menu)
      .map((f) => button(f.title[locale] ?? f.title.en, () => step({ type: 'start', flowId: f.id, locale }))),
  );
}

/** The choices a staff message offers: its quick replies, or yes / no on a flow step, fix or video request. */
function chatChoices(body: ChatEntryView['body']): { id: string; label: string }[] {
  if (body.kind === 'quickReplies') return body.choices;
  if (body.kind === 'flowStep' || body.kind === 'fix' || body.kind === 'video')
    return [
      { id: 'accept', label: t.yes },
      { id: 'decline', label: t.no },
    ];
  return [];
}

function chatLine(item: ChatEntryView, answer: (replyTo: string, choice: string) => void): HTMLElement {
  const b = item.body;
  const who = item.from === 'customer' ? t.chatYou : (item.staff?.displayName ?? t.chatSupport);
  const li = el('li', { class: item.from, 'data-chat-id': item.id }, el('span', { class: 'who' }, who));
  if ('text' in b) li.append(b.text);
  const choices = item.from === 'staff' ? chatChoices(b) : [];
  const chosen = choices.find((c) => c.id === item.answer?.choice);
  if (chosen) li.append(el('span', { class: 'who' }, t.chatAnswered.replace('{choice}', chosen.label)));
  else if (choices.length > 0 && (item.expiresAt === null || item.expiresAt > Date.now()))
    li.append(
      el(
        'div',
        { class: 'row' },
        ...choices.map((c) => button(c.label, () => answer(item.id, c.id), { class: 'answer' })),
      ),
    );
  return li;
}

function renderChat(items: ChatEntryView[], answer: (replyTo: string, choice: string) => void): void {
  $('chat').hidden = false;
  $('chat-title').textContent = t.chatTitle;
  ($('chat-input') as HTMLInputElement).placeholder = t.chatPlaceholder;
  $('chat-send').textContent = t.chatSend;
  // A tap on a button is shown on the staff message it answers, not as a message of its own.
  const log = $('chat-log');
  log.replaceChildren(...items.filter((i) => i.body.kind !== 'answer').map((i) => chatLine(i, answer)));
  log.scrollTop = log.scrollHeight;
}

async function main(): Promise<void> {
  status(t.opening, 'opening');
  const token = location.pathname.split('/').pop() ?? '';
  // The link is single-use: drop it from the address bar and history before anything else.
  history.replaceState(null, '', '/p/');
  let claim: PhoneAccessClaimResponse;
  try {
    claim = await post<PhoneAccessClaimResponse>('/api/phone/claim', { token });
  } catch {
    status(t.refusedLink, 'refused');
    return;
  }
  const base = `/api/phone/${encodeURIComponent(claim.accessId)}`;
  let seq = 0;
  let ended = false;
  const finish = (text: string) => {
    ended = true;
    $('screen').hidden = true;
    $('home').hidden = true;
    $('leave').hidden = true;
    $('live').hidden = true;
    $('chat').hidden = true;
    $('call').hidden = true;
    status(text, 'ended');
  };
  const step = (s: PhoneStep) => {
    if (ended) return;
    void post(`${base}/step`, { seq: seq++, step: s }, claim.key).catch((err: Error) =>
      status(`${t.stepRefused} ${err.message}`, 'refused'),
    );
  };
  const leave = $('leave');
  leave.textContent = t.leave;
  leave.hidden = false;
  leave.onclick = () => void post(`${base}/leave`, {}, claim.key).catch(() => undefined);
  $('live').textContent = t.liveBadge;
  $('live').hidden = false;
  status(t.connected, 'active');
  const say = (body: { kind: 'text'; text: string } | { kind: 'answer'; replyTo: string; choice: string }) =>
    post(`${base}/chat`, { body }, claim.key);
  const answer = (replyTo: string, choice: string) =>
    void say({ kind: 'answer', replyTo, choice }).catch((err: Error) => status(err.message, 'refused'));
  const input = $('chat-input') as HTMLInputElement;
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || ended) return;
    say({ kind: 'text', text }).then(
      () => {
        if (input.value.trim() === text) input.value = '';
      },
      (err: Error) => status(err.message, 'refused'),
    );
  });
  follow(`${base}/events`, claim.key, (e) => {
    if (ended) return;
    if (e.type === 'view') {
      render(e.view, step);
      $('leave').textContent = t.leave;
      $('live').textContent = t.liveBadge;
      status(t.connected, 'active');
    } else if (e.type === 'chat') renderChat(e.items, answer);
    else if (e.type === 'refused') status(`${t.stepRefused} ${e.reason}`, 'refused');
    else finish(t.ended[e.reason]);
  }).then(
    () => {
      if (!ended) finish(t.ended.expired);
    },
    () => {
      if (!ended) finish(t.lost);
    },
  );
}

void main();
