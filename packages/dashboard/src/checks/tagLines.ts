import { MAX_TAG_KEY, MAX_TAG_VALUE } from './connectionFilters';

/** Most tags a Connection holds (PATCH /connections/:id's TAGS_SCHEMA). */
export const MAX_TAGS = 64;

/** Tags as the editor shows them: one `key=value` a line, keys sorted. */
export function tagsToLines(tags: Record<string, string>): string {
  return Object.keys(tags)
    .sort()
    .map((key) => `${key}=${tags[key] ?? ''}`)
    .join('\n');
}

/**
 * Tags typed one `key=value` a line (blank lines skipped): the object PATCH /connections/:id takes, or a message
 * naming the first wrong line. Values may be empty (`key=`) and may hold `=`; keys may not repeat.
 */
export function parseTagLines(text: string): { ok: true; tags: Record<string, string> } | { ok: false; message: string } {
  const tags: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const where = `Line ${index + 1}`;
    const at = line.indexOf('=');
    if (at < 0) return { ok: false, message: `${where}: write each tag as key=value.` };
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key === '') return { ok: false, message: `${where}: the tag needs a key before the =.` };
    if (key.length > MAX_TAG_KEY)
      return { ok: false, message: `${where}: the key is ${key.length} characters; at most ${MAX_TAG_KEY}.` };
    if (value.length > MAX_TAG_VALUE) {
      return { ok: false, message: `${where}: the value is ${value.length} characters; at most ${MAX_TAG_VALUE}.` };
    }
    if (Object.hasOwn(tags, key)) return { ok: false, message: `${where}: the key ${key} is already given above.` };
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) {
    return { ok: false, message: `${Object.keys(tags).length} tags; a Connection holds at most ${MAX_TAGS}.` };
  }
  return { ok: true, tags };
}
