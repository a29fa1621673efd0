/**
 * The catalog walk's report: per auth mode, how many entries there are, how many connected (and how many of those
 * made a proxied call that reached the mock with their credentials), and why the others did not, grouped by reason
 * with a few entries each.
 */
import type { WalkStage } from './recipes/Recipe';

/** How one entry came out. */
export type EntryOutcome =
  | { readonly name: string; readonly mode: string; readonly outcome: 'proxied' }
  | { readonly name: string; readonly mode: string; readonly outcome: 'connected'; readonly proxyFailure: string }
  | {
      readonly name: string;
      readonly mode: string;
      readonly outcome: 'failed';
      readonly stage: WalkStage;
      readonly reason: string;
    }
  | { readonly name: string; readonly mode: string; readonly outcome: 'unsupported' };

export interface ModeReport {
  readonly mode: string;
  readonly entries: number;
  readonly connected: number;
  /** Connected, and a GET through /proxy reached the mock carrying the Connection's credentials. */
  readonly proxied: number;
  readonly notSupported: boolean;
  /** Why entries did not connect: `<stage>: <reason>`, with how many and the first few entries. */
  readonly failures: readonly ReasonGroup[];
  /** Why connected entries' proxied call failed. */
  readonly proxyFailures: readonly ReasonGroup[];
}

export interface ReasonGroup {
  readonly reason: string;
  readonly count: number;
  readonly examples: readonly string[];
}

export interface WalkReport {
  readonly catalogVersion: string;
  readonly startMs: number;
  readonly walkMs: number;
  readonly integrations: number;
  readonly modes: readonly ModeReport[];
}

/** Entries per mode, the largest first. */
export function reportOf(outcomes: readonly EntryOutcome[], extra: Omit<WalkReport, 'modes'>): WalkReport {
  const byMode = new Map<string, EntryOutcome[]>();
  for (const outcome of outcomes) byMode.set(outcome.mode, [...(byMode.get(outcome.mode) ?? []), outcome]);
  const modes = [...byMode].map(([mode, list]): ModeReport => {
    const connected = list.filter((entry) => entry.outcome === 'connected' || entry.outcome === 'proxied');
    return {
      mode,
      entries: list.length,
      connected: connected.length,
      proxied: list.filter((entry) => entry.outcome === 'proxied').length,
      notSupported: list.every((entry) => entry.outcome === 'unsupported'),
      failures: grouped(
        list.flatMap((entry) => (entry.outcome === 'failed' ? [[entry.name, `${entry.stage}: ${entry.reason}`]] : [])),
      ),
      proxyFailures: grouped(list.flatMap((entry) => (entry.outcome === 'connected' ? [[entry.name, entry.proxyFailure]] : []))),
    };
  });
  return { ...extra, modes: modes.sort((a, b) => b.entries - a.entries || a.mode.localeCompare(b.mode)) };
}

/** Reasons with the entry's own name, ports and random values taken out, so entries failing alike group together. */
function grouped(failures: readonly (readonly [string, string])[]): ReasonGroup[] {
  const groups = new Map<string, string[]>();
  for (const [name, reason] of failures) {
    const general = reason
      .split(name)
      .join('<entry>')
      .replace(/:\d{2,5}\b/g, ':<port>')
      .replace(/\b[0-9a-f]{16,}\b/g, '<id>');
    groups.set(general, [...(groups.get(general) ?? []), name]);
  }
  return [...groups]
    .map(([reason, names]) => ({ reason, count: names.length, examples: names.slice(0, 4) }))
    .sort((a, b) => b.count - a.count);
}

/** The report as text: a table of the modes, then each mode's reasons. */
export function reportText(report: WalkReport): string {
  const lines = [
    `Nango catalog walk (@nangohq/providers ${report.catalogVersion}): ${report.integrations} integrations, server start ${report.startMs} ms, walk ${report.walkMs} ms`,
    '',
    'mode                entries  connected  proxied',
  ];
  for (const mode of report.modes) {
    const connected = mode.notSupported ? 'not supported' : String(mode.connected);
    lines.push(
      `${mode.mode.padEnd(20)}${String(mode.entries).padStart(7)}  ${connected.padStart(9)}  ${String(mode.proxied).padStart(7)}`,
    );
  }
  for (const mode of report.modes) {
    for (const [title, groups] of [
      ['did not connect', mode.failures],
      ['connected, proxied call failed', mode.proxyFailures],
    ] as const) {
      if (groups.length === 0) continue;
      lines.push('', `${mode.mode}: ${title}`);
      for (const group of groups) lines.push(`  ${group.count} × ${group.reason}  (${group.examples.join(', ')})`);
    }
  }
  return lines.join('\n');
}
