// Headless Debian Chromium driven by playwright-core, with the flags this closed network
// needs (no background networking, no component updates), and the Chrome DevTools
// virtual WebAuthn authenticator for passkey tests.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Launches Chromium; close the returned browser in `after`. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Adds a virtual platform authenticator (CTAP2, internal transport, resident keys, user
 * verification) to the page's browser context. `userVerified: false` makes it answer
 * without user verification, for the negative tests. Returns { cdp, authenticatorId }.
 */
export async function addVirtualAuthenticator(page, { userVerified = true, residentKey = true } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: residentKey,
      hasUserVerification: true,
      isUserVerified: userVerified,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** The credentials the virtual authenticator holds. */
export async function virtualCredentials({ cdp, authenticatorId }) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials;
}

/** Saves a full-page screenshot to docs/screenshots/NAME.png (kept in the repository). */
export async function screenshot(page, name) {
  const dir = new URL('../../docs/screenshots/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}${name}.png`, fullPage: true });
}
