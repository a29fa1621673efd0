/**
 * What GET /health/ready answers, on the HTTP API and on the NANGO_METRICS_PORT listener: whether this process's
 * broker links are up and its store answers. Neither route needs a key, so the answer names parts, never an
 * address, a URL or an error's text (which could hold either).
 */
export interface Readiness {
  /** True when nothing is down. */
  readonly ready: boolean;
  /** What is down, e.g. `broker:requests`, `broker:flow results`, `store`; empty when ready. */
  readonly down: readonly string[];
}

/** How long the store's trivial query may take before the store counts as down. */
export const STORE_PING_MS = 2_000;

/** The liveness body of GET /health: the process answers HTTP. */
export const LIVE = { status: 'ok' } as const;

/** The HTTP status and body GET /health/ready sends for a readiness. */
export function readinessAnswer(readiness: Readiness): { status: 200 | 503; body: { status: string; down?: string[] } } {
  if (readiness.ready) return { status: 200, body: { status: 'ok' } };
  return { status: 503, body: { status: 'unavailable', down: [...readiness.down] } };
}

/**
 * Whether `ping` resolves within `ms`: a store that fails or hangs is down either way (the reason goes to the log
 * of whoever asks, not to the unauthenticated answer).
 */
export async function answersWithin(ping: () => Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      ping().then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP API's own broker links that are down: the /action dispatcher's two and the flow-result relay's. */
export function apiLinksDown(api: {
  readonly actions?: { linksDown(): string[] } | undefined;
  readonly flowResults?: { readonly linked: boolean } | undefined;
}): string[] {
  const down = api.actions?.linksDown() ?? [];
  if (api.flowResults && !api.flowResults.linked) down.push('flow results');
  return down;
}

/**
 * The readiness of a process whose broker links named `linksDown` are down (each reported as `broker:<name>`) and
 * whose store is asked `SELECT 1` within STORE_PING_MS.
 */
export async function checkReadiness(linksDown: readonly string[], store: { ping(): Promise<void> }): Promise<Readiness> {
  const down = linksDown.map((name) => `broker:${name}`);
  if (!(await answersWithin(() => store.ping(), STORE_PING_MS))) down.push('store');
  return { ready: down.length === 0, down };
}
