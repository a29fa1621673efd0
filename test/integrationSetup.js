// The integration project's globalSetup: the broker must answer (fail fast if not), and a run with browser tests
// needs Chromium, which a fresh machine lacks.
const requireBroker = require('./requireBroker');
const ensureChromium = require('./ensureChromium');

module.exports = async function integrationSetup(globalConfig, projectConfig) {
  await requireBroker();
  await ensureChromium(globalConfig, projectConfig);
};
