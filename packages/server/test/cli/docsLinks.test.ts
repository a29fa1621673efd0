import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkMarkdownLinks, githubAnchor, headingAnchors, markdownLinks } from '../helpers/markdownLinks';

// The README is the front door and docs/ holds one page per topic: a link from one to another that lands nowhere
// (a page renamed, a heading reworded) is found here, not by a reader.
const ROOT = join(__dirname, '..', '..', '..', '..');
const DOCS = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];

describe('githubAnchor', () => {
  it.each([
    ['Set-up: two commands', 'set-up-two-commands'],
    ['The `nango` CLI', 'the-nango-cli'],
    ['@nangohq/node (our SDK)', 'nangohqnode-our-sdk'],
    ['A 2022 `nango-integrations/` folder', 'a-2022-nango-integrations-folder'],
    ['Where an action runs: its sandbox', 'where-an-action-runs-its-sandbox'],
    ['Several workers on several machines: PostgreSQL', 'several-workers-on-several-machines-postgresql'],
    ['OAuth 2 tokens that refresh themselves', 'oauth-2-tokens-that-refresh-themselves'],
    ['See [the API](http-api.md) and snake_case', 'see-the-api-and-snake_case'],
    ['Reading it, again', 'reading-it-again'],
  ])('%s → #%s', (heading, anchor) => {
    expect(githubAnchor(heading)).toBe(anchor);
  });

  it('numbers repeated headings and ignores lines of code that look like headings', () => {
    const anchors = headingAnchors('# Top\n\n## Errors\n\n```sh\n# not a heading\n```\n\n## Errors\n');
    expect([...anchors]).toEqual(['top', 'errors', 'errors-1']);
  });
});

describe('markdownLinks', () => {
  it('finds inline links, images and definitions, with their lines, and none inside code', () => {
    const text = [
      'See [the API](docs/http-api.md#proxy) and ![a page](docs/connect-page.png "the page").',
      'Not a link: `[x](nowhere.md)`, nor',
      '```js',
      'const a = [1](2);',
      '```',
      '[ref]: docs/errors.md',
    ].join('\n');
    expect(markdownLinks(text)).toEqual([
      { target: 'docs/http-api.md#proxy', line: 1 },
      { target: 'docs/connect-page.png', line: 1 },
      { target: 'docs/errors.md', line: 6 },
    ]);
  });
});

describe('checkMarkdownLinks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-docs-links-'));
    mkdirSync(join(dir, 'docs'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a missing file, a missing heading and an anchor into a file that is not Markdown', () => {
    writeFileSync(join(dir, 'docs', 'page.md'), '# Page\n\n## Real heading\n\nBack to [the top](#page).\n');
    writeFileSync(join(dir, 'docs', 'shot.png'), '');
    writeFileSync(
      join(dir, 'README.md'),
      [
        '# Read me',
        '[ok](docs/page.md#real-heading) [ok too](docs/shot.png) [web](https://example.com/x.md) [self](#read-me)',
        '[gone](docs/gone.md)',
        '[no such heading](docs/page.md#reworded-heading)',
        '[picture anchor](docs/shot.png#top)',
      ].join('\n'),
    );
    const report = checkMarkdownLinks([join(dir, 'README.md'), join(dir, 'docs', 'page.md')], dir);
    expect(report.broken).toEqual([
      'README.md:3: docs/gone.md: there is no docs/gone.md',
      'README.md:4: docs/page.md#reworded-heading: docs/page.md has no heading #reworded-heading',
      'README.md:5: docs/shot.png#top: an anchor into docs/shot.png, which is not Markdown',
    ]);
    expect(report.checked).toBe(7); // the https link is not followed
  });
});

describe('the README and docs/', () => {
  it('have no relative link to a missing file or heading', () => {
    const report = checkMarkdownLinks(PAGES, ROOT);
    expect(report.broken).toEqual([]);
    expect(report.checked).toBeGreaterThan(20);
  });

  const linkedFrom = (pages: string[]) =>
    new Set(
      pages.flatMap((page) =>
        markdownLinks(readFileSync(page, 'utf8')).map(({ target }) => resolve(page, '..', target.replace(/#.*$/, ''))),
      ),
    );
  const docs = (extension: string) =>
    readdirSync(DOCS)
      .filter((name) => name.endsWith(extension))
      .map((name) => join(DOCS, name));

  it('the README links every page of docs/: its table of contents is whole', () => {
    const linked = linkedFrom([join(ROOT, 'README.md')]);
    expect(docs('.md').filter((page) => !linked.has(page))).toEqual([]);
  });

  it('some page links every screenshot of docs/', () => {
    const linked = linkedFrom(PAGES);
    expect(docs('.png').filter((picture) => !linked.has(picture))).toEqual([]);
  });
});
