import { checkReadiness } from '../../src/api/readiness';
import { STORE_KINDS } from '../helpers/storeFactories';

describe.each(STORE_KINDS)('%s store ping (GET /health/ready)', (_kind, open) => {
  it('answers while open; once closed it fails and readiness names the store', async () => {
    const { store, dispose } = await open();
    try {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await checkReadiness([], store)).toEqual({ ready: true, down: [] });
    } finally {
      await dispose();
    }
    await expect(store.ping()).rejects.toThrow();
    expect(await checkReadiness([], store)).toEqual({ ready: false, down: ['store'] });
  });
});
