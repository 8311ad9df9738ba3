import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import {
  CSRF_HEADER,
  ExitCode,
  UsageError,
  apiError,
  contentModelResponse,
  contentVersionResponse,
  proposalView,
  type CliCommand,
} from '@touchpoint/protocol';
import { parseCommandArgs } from '@touchpoint/runtime';

const usage = `Usage: touchpoint flows propose FILE --url URL --user NAME [--model MODEL] [--summary TEXT]

Proposes a changed or new help flow for review in the flow studio (docs/help-lifecycle.md): signs in to
the broker's console at URL as staff member NAME (the password is read from TOUCHPOINT_PASSWORD, never
from the command line), starts a draft from the model's live version with FILE in place of the flow with
the same id (or added, when the id is new), and proposes it. A second person approves it in the studio.
The member needs the content role editor.

  --model MODEL    the device model (default: the first of the flow's "models")
  --summary TEXT   what changed, shown in the version history (default: "FILE from the CLI")

Exit codes: 0 proposed, 1 refused (the validator's problems or the broker's answer are printed; a
draft with problems stays as a draft), 2 usage error.`;

/** A signed-in console API session: the session cookie and the CSRF token (secrets: never printed). */
interface Session {
  url: string;
  cookie: string;
  csrf: string;
}

class Refused extends Error {}

async function call<S extends z.ZodType>(
  s: Session,
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      cookie: s.cookie,
      accept: 'application/json',
      ...(method === 'POST' ? { 'content-type': 'application/json', [CSRF_HEADER]: s.csrf } : {}),
    },
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
  });
  const json = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const error = apiError.safeParse(json);
    throw new Refused(
      error.success ? `${error.data.error.message} (${error.data.error.code})` : `HTTP ${res.status} on ${path}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Refused(`the broker's answer to ${path} is not what this CLI expects`);
  return parsed.data;
}

async function signIn(url: string, name: string, password: string): Promise<Session> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (!res.ok) throw new Refused(`signing in as ${name} failed (HTTP ${res.status})`);
  const session = (await res.json()) as { csrfToken?: string; mustChangePassword?: boolean };
  if (session.mustChangePassword) throw new Refused(`${name} must first choose a password in the console`);
  return { url, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: session.csrfToken ?? '' };
}

export const flowsPropose: CliCommand = {
  path: ['flows', 'propose'],
  summary: 'Propose a changed help flow for review in the flow studio',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        user: { type: 'string' },
        model: { type: 'string' },
        summary: { type: 'string' },
      },
    });
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('expected exactly one FILE');
    if (!values.url || !values.user) throw new UsageError('--url URL and --user NAME are required');
    const password = process.env['TOUCHPOINT_PASSWORD'];
    if (!password) throw new UsageError('set TOUCHPOINT_PASSWORD to the password of --user');
    const url = values.url.replace(/\/+$/, '');
    let flow: unknown;
    try {
      flow = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      console.error(`touchpoint flows propose: ${file} is not a JSON file: ${(err as Error).message} (BAD_JSON)`);
      return ExitCode.failure;
    }
    const record = typeof flow === 'object' && flow !== null ? (flow as Record<string, unknown>) : {};
    const flowId = typeof record['id'] === 'string' ? record['id'] : undefined;
    const models = Array.isArray(record['models']) ? record['models'] : [];
    const model = values.model ?? (typeof models[0] === 'string' ? models[0] : undefined);
    if (!flowId || !model) throw new UsageError(`${file} needs an "id" and a model ("models" or --model)`);
    const summary = values.summary ?? `${basename(file)} from the CLI`;
    try {
      const s = await signIn(url, values.user, password);
      const { versions } = await call(
        s,
        'GET',
        `/api/content/models/${encodeURIComponent(model)}`,
        contentModelResponse,
      );
      const base = versions.find((v) => v.baseline) ?? versions.find((v) => v.status === 'approved');
      if (!base) throw new Refused(`model ${model} has no approved version to start from`);
      const { version: parent } = await call(s, 'GET', `/api/content/versions/${base.id}`, contentVersionResponse);
      // The file replaces the flow with its id, under that flow's file name; a new id is added under FILE's name.
      const existing = Object.entries(parent.body.flows).find(
        ([, json]) => typeof json === 'object' && json !== null && (json as { id?: unknown }).id === flowId,
      );
      const body = {
        flows: { ...parent.body.flows, [existing?.[0] ?? basename(file)]: flow },
        images: parent.body.images,
      };
      const draft = await call(
        s,
        'POST',
        `/api/content/models/${encodeURIComponent(model)}/drafts`,
        contentVersionResponse,
        {
          parentId: base.id,
          body,
          summary,
        },
      );
      if (draft.problems.length > 0) {
        for (const p of draft.problems) console.error(`${p.file}: ${p.path || '(file)'}: ${p.message} (${p.code})`);
        console.error(
          `touchpoint flows propose: ${draft.problems.length} problem(s); v${draft.version.number} of ${model} stays a draft`,
        );
        return ExitCode.failure;
      }
      const proposed = await call(
        s,
        'POST',
        `/api/content/versions/${draft.version.id}/propose`,
        contentVersionResponse,
      );
      await call(s, 'POST', '/api/content/proposals', proposalView, {
        source: 'maker',
        versionId: proposed.version.id,
        model,
        flowId,
        reasons: [],
        text: summary,
      });
      console.log(`v${proposed.version.number} of ${model} proposed for review (from v${base.number})`);
      console.log(`${url}/#/studio/${encodeURIComponent(model)}/${proposed.version.id}`);
      return ExitCode.ok;
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      console.error(`touchpoint flows propose: ${err.message}`);
      return ExitCode.failure;
    }
  },
};
