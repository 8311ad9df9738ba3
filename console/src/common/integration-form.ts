import {
  createIntegrationRequest,
  integrationRightsProblems,
  type CreateIntegrationRequest,
} from '@touchpoint/protocol';

/** The create form's fields as typed: filters, deny list and models one per line. */
export interface IntegrationFormInput {
  name: string;
  subscribe: string;
  publish: string;
  deny: string;
  models: string;
  clientIdPrefix: string;
}

export type IntegrationField = keyof IntegrationFormInput;

export type IntegrationFormResult =
  | { ok: true; request: CreateIntegrationRequest }
  | { ok: false; problems: Partial<Record<IntegrationField | 'form', string[]>> };

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

/**
 * Reads the form into a create request, checked with the broker's own rules
 * (the same zod schema and `integrationRightsProblems`), so problems show at
 * their field before anything is sent. The broker checks again.
 */
export function readIntegrationForm(input: IntegrationFormInput): IntegrationFormResult {
  const prefix = input.clientIdPrefix.trim();
  const candidate = {
    name: input.name.trim(),
    subscribe: lines(input.subscribe),
    publish: lines(input.publish),
    deny: lines(input.deny),
    models: lines(input.models),
    ...(prefix ? { clientIdPrefix: prefix } : {}),
  };
  const problems: Partial<Record<IntegrationField | 'form', string[]>> = {};
  const add = (field: IntegrationField | 'form', text: string) => (problems[field] ??= []).push(text);
  const parsed = createIntegrationRequest.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [key, index] = issue.path;
      const field = typeof key === 'string' && key in input ? (key as IntegrationField) : 'form';
      const value =
        typeof index === 'number' ? (candidate[field as 'subscribe'] as string[] | undefined)?.[index] : undefined;
      add(field, value !== undefined ? `${value}: ${issue.message}` : issue.message);
    }
    return { ok: false, problems };
  }
  for (const problem of integrationRightsProblems(parsed.data))
    add(problem.startsWith('--publish') ? 'publish' : 'form', problem);
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, request: candidate };
}
