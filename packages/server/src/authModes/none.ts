import type { AuthModeHandler } from './AuthModeHandler';

/**
 * NONE (unauthenticated): the API needs no credentials, so a Connection holds none (only its config, a tenant's
 * subdomain say) and requests go out as they are. Credentials given anyway are refused rather than kept unused.
 */
export const none: AuthModeHandler = {
  mode: 'NONE',
  requiredFields: [],
  normalise(raw, _stored, problems) {
    const given = Object.keys(raw);
    if (given.length > 0) {
      problems.push(`an unauthenticated (NONE) Connection holds no credentials: remove ${given.join(', ')}`);
    }
  },
  authorise() {},
};
