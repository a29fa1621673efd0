import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it when missing). */
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

/** Starts the browser the page tests drive. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Runs in a test app's page (as text: the tests are typed without the DOM library): its result line has left
 * `waiting…`, so the flow it started has ended one way or the other.
 */
export const FLOW_ENDED = "!document.getElementById('result').textContent.startsWith('waiting')";
