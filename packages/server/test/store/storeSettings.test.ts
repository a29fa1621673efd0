import { resolveWorkerSettings, storeTarget } from '../../src/settings';

describe('choosing the store from the environment', () => {
  it('is SQLite at NANGO_DB_PATH by default', () => {
    const settings = resolveWorkerSettings({ NANGO_DB_PATH: '/var/lib/nango/db.sqlite' });
    expect(storeTarget(settings)).toEqual({ kind: 'sqlite', path: '/var/lib/nango/db.sqlite' });
  });

  it('is PostgreSQL for a postgres:// or postgresql:// URL, with the pool size', () => {
    for (const url of ['postgres://nango:pw@db:5432/nango', 'postgresql://db/nango']) {
      const settings = resolveWorkerSettings({ NANGO_DATABASE_URL: url, NANGO_DATABASE_POOL_SIZE: '4' });
      expect(storeTarget(settings)).toEqual({ kind: 'postgres', url, poolSize: 4 });
    }
    expect(resolveWorkerSettings({ NANGO_DATABASE_URL: 'postgres://db/nango' }).databasePoolSize).toBe(10);
  });

  it('is SQLite at the path of a sqlite: URL', () => {
    expect(storeTarget(resolveWorkerSettings({ NANGO_DATABASE_URL: 'sqlite:///srv/nango.sqlite' }))).toEqual({
      kind: 'sqlite',
      path: '/srv/nango.sqlite',
    });
    expect(storeTarget(resolveWorkerSettings({ NANGO_DATABASE_URL: 'sqlite:/srv/other.sqlite' }))).toEqual({
      kind: 'sqlite',
      path: '/srv/other.sqlite',
    });
  });

  it('refuses another scheme or a bad pool size, naming the variable and never echoing the URL', () => {
    expect(() => resolveWorkerSettings({ NANGO_DATABASE_URL: 'mysql://root:hunter2@db/nango' })).toThrow(
      /NANGO_DATABASE_URL must start with postgres:\/\/, postgresql:\/\/ or sqlite:/,
    );
    expect(() => resolveWorkerSettings({ NANGO_DATABASE_URL: 'mysql://root:hunter2@db/nango' })).not.toThrow(/hunter2/);
    expect(() => resolveWorkerSettings({ NANGO_DATABASE_URL: 'sqlite:' })).toThrow(/needs a file path after sqlite:/);
    expect(() => resolveWorkerSettings({ NANGO_DATABASE_POOL_SIZE: '0' })).toThrow(
      /NANGO_DATABASE_POOL_SIZE must be an integer >= 1/,
    );
  });
});
