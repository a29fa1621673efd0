import { isAbsolute, relative } from 'node:path';

/** A path as the user would type it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const path = relative(process.cwd(), file);
  return path === '' || path.startsWith('..') || isAbsolute(path) ? file : path;
}
