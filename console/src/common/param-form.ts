import { actionParamsSchema, type ActionSpec, type ParamSpec } from '@touchpoint/protocol';

/** What a form field holds: text inputs give strings, checkboxes booleans. */
export type FieldValue = string | boolean;

export type ParamResult = { ok: true; params: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** The initial form values: each param's default, or empty. */
export function defaultFieldValues(action: ActionSpec): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  for (const [key, spec] of Object.entries(action.params)) {
    if (spec.type === 'boolean') values[key] = spec.default ?? false;
    else values[key] = spec.default === undefined ? '' : String(spec.default);
  }
  return values;
}

function coerce(spec: ParamSpec, raw: FieldValue | undefined): unknown {
  if (spec.type === 'boolean') return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return undefined;
  if (spec.type === 'number' || spec.type === 'integer') {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/**
 * Turns form values into command params and checks them with the same schema
 * the fleet service and the device use, so the form refuses what they would.
 */
export function buildParams(
  action: ActionSpec,
  values: Record<string, FieldValue>,
  requiredText = 'Required',
): ParamResult {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [key, spec] of Object.entries(action.params)) {
    const value = coerce(spec, values[key]);
    if (value === undefined) {
      if (spec.required && spec.default === undefined) errors[key] = requiredText;
      continue;
    }
    params[key] = value;
  }
  const parsed = actionParamsSchema(action).safeParse(params);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      errors[key] ??= issue.message;
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, params };
}
