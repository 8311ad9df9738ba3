import { describe, expect, it } from 'vitest';
import { de } from '../../ui/src/i18n/de.js';
import { videoStrings } from '../../ui/src/video/video-strings.js';

/** Du-forms a customer must never read (issue 16: the touch UI says "Sie" throughout). */
const INFORMAL = /\b(du|dich|dir|dein\w*|zeig|prüfe|drück|tipp)\b/i;

function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

describe('German touch UI texts', () => {
  it('address the customer with "Sie", in the app and in the video overlay', () => {
    const all = [...texts(de), ...texts(videoStrings('de'))];
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((t) => INFORMAL.test(t))).toEqual([]);
  });
});
