/**
 * The step graph of a flow. It reads steps defensively (as unknown), so the
 * validator can analyse a flow that also has schema errors and report every
 * problem in one run; the engine uses the same functions on parsed flows.
 */

/** One outgoing edge: the JSON path of the field (relative to the step) and the step id it names. */
export interface StepEdge {
  path: (string | number)[];
  target: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function edge(step: Record<string, unknown>, field: string, out: StepEdge[]): void {
  const target = step[field];
  if (typeof target === 'string') out.push({ path: [field], target });
}

/** Outgoing edges of a step, in a stable order. */
export function stepEdges(step: unknown): StepEdge[] {
  const out: StepEdge[] = [];
  if (!isRecord(step)) return out;
  switch (step['kind']) {
    case 'info':
      edge(step, 'next', out);
      break;
    case 'question': {
      const choices = step['choices'];
      if (Array.isArray(choices)) {
        choices.forEach((choice: unknown, i) => {
          if (isRecord(choice) && typeof choice['next'] === 'string')
            out.push({ path: ['choices', i, 'next'], target: choice['next'] });
        });
      }
      break;
    }
    case 'check':
      edge(step, 'onTrue', out);
      edge(step, 'onFalse', out);
      break;
    case 'action':
      edge(step, 'onSuccess', out);
      edge(step, 'onFailure', out);
      edge(step, 'onCancel', out);
      break;
    case 'outcome':
      edge(step, 'next', out);
      break;
    default:
      break;
  }
  return out;
}

/** Step ids reachable from `start` (including it), following only edges to existing steps. */
export function reachableSteps(steps: Record<string, unknown>, start: string): Set<string> {
  const seen = new Set<string>();
  if (!Object.hasOwn(steps, start)) return seen;
  const queue = [start];
  seen.add(start);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const { target } of stepEdges(steps[id])) {
      if (Object.hasOwn(steps, target) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}

const isOutcome = (step: unknown): boolean => isRecord(step) && step['kind'] === 'outcome';

/**
 * For each step, the fewest steps to an outcome (0 for an outcome itself).
 * Steps missing from the map can never reach an outcome: dead ends.
 * With `optimistic`, an edge to a step that does not exist counts as reaching
 * an outcome: the validator already reports the unknown id and should not
 * also call every step upstream a dead end.
 */
export function distanceToOutcome(
  steps: Record<string, unknown>,
  options: { optimistic?: boolean } = {},
): Map<string, number> {
  const incoming = new Map<string, string[]>();
  for (const [id, step] of Object.entries(steps)) {
    for (const { target } of stepEdges(step)) {
      const list = incoming.get(target) ?? [];
      list.push(id);
      incoming.set(target, list);
    }
  }
  const distance = new Map<string, number>();
  const queue: string[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (isOutcome(step)) {
      distance.set(id, 0);
      queue.push(id);
    } else if (options.optimistic && stepEdges(step).some((e) => !Object.hasOwn(steps, e.target))) {
      distance.set(id, 1);
      queue.push(id);
    }
  }
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const d = distance.get(id) as number;
    for (const from of incoming.get(id) ?? []) {
      if (!distance.has(from)) {
        distance.set(from, d + 1);
        queue.push(from);
      }
    }
  }
  return distance;
}

/**
 * Cycles made only of `check` steps would spin without the customer ever
 * seeing a screen. Returns the ids of check steps that lie on such a cycle.
 */
export function automaticCycles(steps: Record<string, unknown>): string[] {
  const isCheck = (id: string): boolean =>
    isRecord(steps[id]) && (steps[id] as Record<string, unknown>)['kind'] === 'check';
  const onCycle: string[] = [];
  for (const id of Object.keys(steps)) {
    if (!isCheck(id)) continue;
    // Depth-first search through check steps only, looking for a way back to `id`.
    const seen = new Set<string>();
    const stack = stepEdges(steps[id]).map((e) => e.target);
    let found = false;
    while (stack.length > 0 && !found) {
      const next = stack.pop() as string;
      if (next === id) found = true;
      else if (!seen.has(next) && isCheck(next)) {
        seen.add(next);
        stack.push(...stepEdges(steps[next]).map((e) => e.target));
      }
    }
    if (found) onCycle.push(id);
  }
  return onCycle;
}
