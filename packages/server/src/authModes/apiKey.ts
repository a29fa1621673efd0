import type { AuthModeHandler } from './AuthModeHandler';

/** API_KEY: the key goes where integrations.yaml (or the catalog's proxy headers and query) places `${api_key}`. */
export const apiKey: AuthModeHandler = {
  mode: 'API_KEY',
  requiredFields: ['api_key'],
  authorise() {},
};
