import { answersWithin, apiLinksDown, checkReadiness, readinessAnswer } from '../../src/api/readiness';

describe('readiness', () => {
  it('is ready when no link is down and the store answers', async () => {
    const readiness = await checkReadiness([], { ping: async () => undefined });
    expect(readiness).toEqual({ ready: true, down: [] });
    expect(readinessAnswer(readiness)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('names the links down and a store that fails, without its error', async () => {
    const store = { ping: () => Promise.reject(new Error('connect ECONNREFUSED postgres://u:secret@db:5432')) };
    const readiness = await checkReadiness(['requests'], store);
    expect(readiness).toEqual({ ready: false, down: ['broker:requests', 'store'] });
    expect(readinessAnswer(readiness)).toEqual({
      status: 503,
      body: { status: 'unavailable', down: ['broker:requests', 'store'] },
    });
  });

  it('counts a store that does not answer in time as down, and leaves no timer behind', async () => {
    let release: () => void = () => undefined;
    const hanging = () => new Promise<void>((resolve) => (release = resolve));
    const started = Date.now();
    expect(await answersWithin(hanging, 50)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    release();
    expect(await answersWithin(async () => undefined, 10_000)).toBe(true); // would hold jest open were the timer kept
  });

  it("lists the API's links that are down", () => {
    expect(apiLinksDown({})).toEqual([]);
    expect(apiLinksDown({ actions: { linksDown: () => ['action calls'] }, flowResults: { linked: false } })).toEqual([
      'action calls',
      'flow results',
    ]);
    expect(apiLinksDown({ actions: { linksDown: () => [] }, flowResults: { linked: true } })).toEqual([]);
  });
});
