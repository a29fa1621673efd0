import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** One link a Markdown file makes, with the line it is on (1-based). */
export interface MarkdownLink {
  target: string;
  line: number;
}

/** What `checkMarkdownLinks` found: how many relative links it followed, and one message per broken one. */
export interface LinkReport {
  checked: number;
  broken: string[];
}

/**
 * The anchor GitHub gives a heading: its text lower-cased, punctuation removed (letters, digits, `_`, `-` and
 * spaces stay), each space turned into `-`. Links and inline code keep only their text.
 */
export function githubAnchor(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * The text with fenced code blocks and inline code spans blanked out (newlines kept, so line numbers still hold):
 * a `[x](y)` or a `# comment` in code is neither a link nor a heading.
 */
function withoutCode(markdown: string): string {
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  const lines = markdown.split('\n');
  let fence: string | undefined;
  const prose = lines.map((line) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && opener !== undefined) {
      fence = opener;
      return blank(line);
    }
    if (fence !== undefined) {
      if (line.trim().startsWith(fence)) fence = undefined;
      return blank(line);
    }
    return line;
  });
  // A code span may run over a line break; a backtick run closes only a span opened by a run of the same length.
  return prose.join('\n').replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, blank);
}

/** The anchors of every ATX heading outside code, repeated headings numbered `-1`, `-2`, … as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const prose = withoutCode(markdown).split('\n');
  markdown.split('\n').forEach((line, index) => {
    if (!/^#{1,6}\s/.test(prose[index] ?? '')) return; // a heading line whose start is not code
    const text = line.replace(/^#{1,6}\s+/, '').replace(/\s+#+\s*$/, '');
    const anchor = githubAnchor(text);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  });
  return anchors;
}

/** Every link outside code: inline links and images, reference definitions, and HTML `href`/`src` attributes. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const prose = withoutCode(markdown);
  const patterns = [
    /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm,
    /\b(?:href|src)="([^"]+)"/g,
  ];
  return patterns
    .flatMap((pattern) => [...prose.matchAll(pattern)])
    .map((match) => ({
      target: match[1] ?? '',
      line: prose.slice(0, match.index).split('\n').length,
    }))
    .sort((a, b) => a.line - b.line);
}

/**
 * Follows every relative link of the given Markdown files: the file (or folder) it names must exist and, when it
 * has a `#anchor`, the Markdown file it lands in must have that heading. Links with a scheme (`https:`, `mailto:`)
 * are left alone: the tests reach no network. Messages name the file by its path from `root`, and the line.
 */
export function checkMarkdownLinks(files: string[], root: string): LinkReport {
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    let found = anchorsOf.get(file);
    if (found === undefined) {
      found = headingAnchors(readFileSync(file, 'utf8'));
      anchorsOf.set(file, found);
    }
    return found;
  };
  const report: LinkReport = { checked: 0, broken: [] };
  for (const file of files) {
    const where = relative(root, file);
    for (const { target, line } of markdownLinks(readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('//')) continue;
      report.checked++;
      const hash = target.indexOf('#');
      const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const landing = path === '' ? file : resolve(dirname(file), path);
      if (!existsSync(landing)) {
        report.broken.push(`${where}:${line}: ${target}: there is no ${relative(root, landing)}`);
      } else if (anchor !== undefined && !landing.endsWith('.md')) {
        report.broken.push(`${where}:${line}: ${target}: an anchor into ${relative(root, landing)}, which is not Markdown`);
      } else if (anchor !== undefined && !anchors(landing).has(anchor)) {
        report.broken.push(`${where}:${line}: ${target}: ${relative(root, landing)} has no heading #${anchor}`);
      }
    }
  }
  return report;
}
