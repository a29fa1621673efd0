import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { NANGO_PROVIDERS_FILE, readNangoCatalog } from '../catalog/nangoCatalog';

/** Nango's own providers.yaml (the @nangohq/providers devDependency), as a user would point NANGO_PROVIDERS_FILE at it. */
describe("Nango's published catalog", () => {
  it('loads unchanged through NANGO_PROVIDERS_FILE: every entry, with the auth mode the file gives it', () => {
    const raw = readNangoCatalog();
    const catalog = loadProviderCatalog({ file: NANGO_PROVIDERS_FILE });
    const names = Object.keys(raw);
    expect(names.length).toBeGreaterThan(900);
    for (const name of names) {
      // An alias takes its provider's mode, through chains of aliases.
      let entry = raw[name];
      while (entry && entry['auth_mode'] === undefined && typeof entry['alias'] === 'string') entry = raw[entry['alias']];
      const mode = entry?.['auth_mode'];
      expect(mode).toEqual(expect.any(String));
      expect([name, catalog.get(name)?.auth_mode]).toEqual([name, mode]);
    }
  });
});
