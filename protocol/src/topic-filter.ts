/**
 * MQTT topic names and filters as the broker's ACL reads them: validity,
 * matching, and whether one filter covers another. Pure; shared by every
 * identity's allow-list so that devices, the fleet service and integration
 * accounts are checked by the same parser.
 */

const LEVEL_SEPARATOR = '/';

/** [MQTT-4.7.3-1] at least one character; [MQTT-4.7.3-2] no U+0000; [MQTT-3.3.2-2] no wildcards in a topic name. */
export function isValidTopicName(topic: string): boolean {
  return topic.length > 0 && !topic.includes('\u0000') && !topic.includes('+') && !topic.includes('#');
}

/**
 * [MQTT-4.7.1-2] `#` only as the last level, alone; [MQTT-4.7.1-3] `+` only as a whole level;
 * [MQTT-4.7.3-1], [MQTT-4.7.3-2] non-empty, no U+0000.
 */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false;
  const levels = filter.split(LEVEL_SEPARATOR);
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}

/**
 * Does a concrete topic match a filter? `+` is one level, `#` the rest and the
 * parent level [MQTT-4.7.1-2]; a filter starting with a wildcard does not match
 * a topic starting with `$` [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split(LEVEL_SEPARATOR);
  const t = topic.split(LEVEL_SEPARATOR);
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * True when every topic that `requested` could match is also matched by
 * `granted`. This is what an allow-list of filters means: a subscription is
 * granted only if it cannot reach a topic outside the list, whatever
 * wildcards it uses.
 */
export function filterCovers(granted: string, requested: string): boolean {
  const g = granted.split(LEVEL_SEPARATOR);
  const r = requested.split(LEVEL_SEPARATOR);
  // A `$` topic is matched only by a filter that names its first level [MQTT-4.7.2-1].
  if (r[0]?.startsWith('$') && (g[0] === '+' || g[0] === '#')) return false;
  for (let i = 0; i < g.length; i++) {
    const level = g[i];
    if (level === '#') return true;
    if (i >= r.length) return false;
    const wanted = r[i];
    if (wanted === '#') return false;
    if (level === '+') continue;
    if (wanted !== level) return false;
  }
  // A longer request (`a/b/c`, `a/b/#` under `a/b`) reaches topics the grant does not.
  return r.length === g.length;
}

/** True when some topic matches both filters (level by level; `#` takes the rest, `+` any one level). */
export function filtersIntersect(a: string, b: string): boolean {
  const x = a.split(LEVEL_SEPARATOR);
  const y = b.split(LEVEL_SEPARATOR);
  if (
    (x[0]?.startsWith('$') && (y[0] === '+' || y[0] === '#')) ||
    (y[0]?.startsWith('$') && (x[0] === '+' || x[0] === '#'))
  )
    return false;
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
}
