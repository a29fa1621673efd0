import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; the integration run installs it when missing and it may (test/ensureChromium.js). */
const CHROMIUM = '/usr/bin/chromium';
/** Headless, and nothing that reaches the internet on its own. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts the browser the page tests drive.
 * @throws Error that says what to install when there is no Chromium, rather than Playwright's bare "doesn't exist"
 */
export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    // Set by test/ensureChromium.js when it could not install it, with why.
    throw new Error(
      process.env['NANGO_TEST_CHROMIUM_MISSING'] ??
        `The browser tests need Chromium at ${CHROMIUM}. The integration run installs Debian's chromium itself when it ` +
          'runs a browser test as root with apt-get; otherwise install it: apt-get install -y --no-install-recommends chromium',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Runs in a test app's page (as text: the tests are typed without the DOM library): its result line has left
 * `waiting…`, so the flow it started has ended one way or the other.
 */
export const FLOW_ENDED = "!document.getElementById('result').textContent.startsWith('waiting')";
