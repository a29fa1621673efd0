import { AUTH_MODES } from '@nangohq/protocol';
import { authModeHandler, handledAuthModes } from '../../src/authModes/handlers';
import { catalogModeOf, connectName, modeOfCatalog, RUN_MODES, runsAuthMode } from '../../src/config/authModeNames';

describe('auth mode handlers', () => {
  it('run exactly the modes RUN_MODES lists, each under its own name', () => {
    expect(new Set(handledAuthModes())).toEqual(new Set(RUN_MODES));
    for (const mode of handledAuthModes()) expect(authModeHandler(mode).mode).toBe(mode);
  });

  it('refuse a mode without a handler, naming it', () => {
    const missing = AUTH_MODES.find((mode) => !runsAuthMode(mode));
    if (missing === undefined) return; // every mode runs: nothing left to refuse
    expect(() => authModeHandler(missing)).toThrow(`this server does not run auth mode ${missing}`);
  });
});

describe('auth mode names', () => {
  it('are the catalog names but for BASIC, both ways', () => {
    expect(catalogModeOf('USERNAME_PASSWORD')).toBe('BASIC');
    expect(modeOfCatalog('BASIC')).toBe('USERNAME_PASSWORD');
    for (const mode of AUTH_MODES) expect(modeOfCatalog(catalogModeOf(mode))).toBe(mode);
    expect(modeOfCatalog('USERNAME_PASSWORD')).toBeUndefined();
    expect(modeOfCatalog('INSTALL_PLUGIN')).toBeUndefined();
    expect(modeOfCatalog('__proto__')).toBeUndefined();
  });

  it('name connect operations in lower case, BASIC as basic', () => {
    expect(connectName('USERNAME_PASSWORD')).toBe('basic');
    expect(connectName('OAUTH2_CC')).toBe('oauth2_cc');
  });
});
