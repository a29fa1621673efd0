// ESM entry: re-exports the CommonJS build so that `import` and `require` share one Nango class
// (no dual-package hazard: `instanceof NangoError` holds whichever way the app loaded it).
import cjs from '../dist/index.js';

export const { Nango, NangoError, verifyIncomingWebhookRequest } = cjs;
export default cjs.Nango;
