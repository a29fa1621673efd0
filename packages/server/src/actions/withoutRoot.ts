import { sep } from 'node:path';

/**
 * `text` with the integrations folder's absolute path taken out of the paths it quotes (Node's "Require stack"
 * lists the action file by it), so callers see `slack/notify.action.ts` and not where the server keeps it.
 */
export function withoutRoot(text: string, root: string): string {
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  return text.split(prefix).join('');
}
