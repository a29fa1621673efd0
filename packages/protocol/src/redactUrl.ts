/**
 * The URL with its password replaced by `***`, safe for error messages and logs; never throws.
 *
 * `amqp://nango:p@ss@broker:5672/vh` becomes `amqp://nango:***@broker:5672/vh`. The URL is not parsed with
 * `new URL()`: a password with an unencoded '@', ':' or '/' would make it fail or cut the URL in the wrong
 * place, and re-serialising would change URLs that have no password. The last '@' ends the userinfo, so a
 * stray '@' later in the URL can only make the redaction hide more, never less. The first ':' in the
 * userinfo ends the user name, which cannot contain one.
 */
export function redactUrl(url: string): string {
  const text = String(url);
  const schemeEnd = text.indexOf('://');
  const authorityStart = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const userinfoEnd = text.lastIndexOf('@');
  if (userinfoEnd < authorityStart) return text;
  const passwordStart = text.indexOf(':', authorityStart);
  if (passwordStart === -1 || passwordStart + 1 >= userinfoEnd) return text; // no password, or an empty one
  return `${text.slice(0, passwordStart + 1)}***${text.slice(userinfoEnd)}`;
}
