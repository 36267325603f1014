/**
 * Debian's Chromium driven by playwright-core, for the console's browser
 * tests and screenshots. No browser is downloaded: `.ci/run` installs the
 * `chromium` package when it is missing, and a missing binary fails loudly
 * instead of skipping the tests.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium is: `OMNIHUB_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.OMNIHUB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a closed network: without the background-networking ones
 * Chromium keeps trying Google's hosts and its connections are refused.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. The console's browser tests need it: ` +
        'run `apt-get install -y chromium` (.ci/run does this when it is missing), or set OMNIHUB_CHROMIUM to a Chromium binary.',
    );
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
};
