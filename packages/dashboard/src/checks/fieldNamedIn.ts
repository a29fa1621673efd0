/**
 * Which form field a server error's message is about, so it can stand next to that field. The server names the
 * place of bad input at the start of its message, or after a semicolon when there are several (`querystring/search
 * must NOT have more than 255 characters`, `body/metadata must be object`); `places` maps such a place (or the start
 * of one, `querystring/tags[`) to the form's field. Null when it names no field of the form. The caller decides
 * which errors to ask about (a 400 invalid_request).
 */
export function fieldNamedIn(message: string, places: Record<string, string>): string | null {
  for (const part of message.split(';')) {
    const text = part.trim();
    for (const [place, field] of Object.entries(places)) {
      if (!text.startsWith(place)) continue;
      const next = text.charAt(place.length);
      // `querystring/search` must not claim `querystring/searchText`.
      if (place.endsWith('[') || next === '' || !/[A-Za-z0-9_]/.test(next)) return field;
    }
  }
  return null;
}
