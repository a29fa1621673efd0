/** One word of a text search: letters and digits only, so it can never be read as query syntax by either database. */
export interface SearchWord {
  readonly word: string;
  /** Ends in `*`: matches words that start with it. */
  readonly prefix: boolean;
}

/** Most words one search takes; more are ignored (each costs an index lookup). */
export const MAX_SEARCH_WORDS = 16;

/**
 * The words of a search text: runs of letters and digits (anything else separates words, as the index's tokenizers
 * cut text), each a prefix when a `*` follows it. Lower-cased; at most MAX_SEARCH_WORDS.
 */
export function searchWords(text: string): SearchWord[] {
  const words: SearchWord[] = [];
  for (const match of text.matchAll(/([\p{L}\p{N}]+)(\*)?/gu)) {
    words.push({ word: (match[1] as string).toLowerCase(), prefix: match[2] === '*' });
    if (words.length === MAX_SEARCH_WORDS) break;
  }
  return words;
}
