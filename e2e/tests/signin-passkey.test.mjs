// Passkeys end to end in headless Chromium with the DevTools virtual authenticator:
// register a passkey in My security info, sign out, sign in with the passkey only
// (username-less); a passkey answering a phishing-resistant challenge after a password;
// and the refusal of a passkey that did not verify the user.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, addVirtualAuthenticator, virtualCredentials } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';
const PHISHING_RESISTANT = '00000000-0000-0000-0000-000000000004';

let server;
let browser;
let counter = 0;

before(async () => {
  server = await startPortcullis();
  // Conditional Access policies and security defaults are mutually exclusive.
  await server.graph.patch('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', {
    isEnabled: false,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newUser(prefix) {
  counter += 1;
  const upn = `${prefix}-${counter}-${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  return { upn, id: user.id };
}

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'portcullis_session');
}

async function passwordSignIn(page, upn) {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in with the password, registers a passkey in My security info, signs out. */
async function registerPasskey(page, upn) {
  await passwordSignIn(page, upn);
  await page.getByRole('button', { name: 'No' }).click();
  await page.goto(`${server.url}/security-info`);
  await page.getByRole('button', { name: 'Passkey', exact: true }).click();
  await page.locator('.methods .kind', { hasText: /passkey/i }).first().waitFor();
  await page.goto(`${server.url}/signout`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You signed out' }).waitFor();
}

/** The newest sign-in log entry of a user. */
async function lastSignIn(userId) {
  const filter = encodeURIComponent(`userId eq '${userId}'`);
  const { value } = await server.graph.get(`/v1.0/auditLogs/signIns?$filter=${filter}&$top=50`);
  return value.sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime))[0];
}

test('register a passkey, sign out, sign in with the passkey only', async () => {
  const { upn, id } = await newUser('passkey');
  const context = await browser.newContext();
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  await registerPasskey(page, upn);
  const credentials = await virtualCredentials(authenticator);
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].isResidentCredential, true, 'a discoverable passkey');
  assert.equal(await sessionCookie(context), undefined);

  await page.goto(`${server.url}/signin?return_to=%2Fsecurity-info`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  assert.ok(await sessionCookie(context), 'the passkey alone signed the user in');
  await page.getByRole('button', { name: 'No' }).click();
  await page.waitForURL(`${server.url}/security-info`);
  assert.match(await page.locator('main').textContent(), new RegExp(upn.split('@')[0]));

  const entry = await lastSignIn(id);
  assert.equal(entry.status.errorCode, 0);
  assert.deepEqual(
    entry.authenticationDetails.map((d) => [d.authenticationMethod, d.succeeded]),
    [['Passkey (FIDO2)', true]],
  );
  await context.close();
});

test('a passkey satisfies a phishing-resistant strength that a password cannot', async () => {
  const { upn, id } = await newUser('strength');
  const context = await browser.newContext();
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await registerPasskey(page, upn);
  await server.graph.createPolicy({
    displayName: `Phishing-resistant for ${upn}`,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [id] },
      applications: { includeApplications: ['All'] },
      clientAppTypes: ['all'],
    },
    grantControls: { operator: 'OR', authenticationStrength: { id: PHISHING_RESISTANT } },
  });

  // Password first: the challenge offers the passkey as the second step.
  await passwordSignIn(page, upn);
  await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
  await page.getByRole('button', { name: /Use my passkey/ }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  assert.ok(await sessionCookie(context));
  const afterPassword = await lastSignIn(id);
  assert.equal(afterPassword.status.errorCode, 0);
  assert.equal(afterPassword.authenticationRequirement, 'multiFactorAuthentication');

  // Passwordless satisfies it alone.
  await context.clearCookies();
  await page.goto(`${server.url}/signin`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  const passwordless = await lastSignIn(id);
  assert.equal(passwordless.status.errorCode, 0);
  assert.deepEqual(passwordless.authenticationDetails.map((d) => d.authenticationMethod), ['Passkey (FIDO2)']);
  await context.close();
});

// Portcullis asks for user verification ("required"), so a browser whose authenticator
// cannot verify the user refuses before anything is sent; the server's own refusal of an
// unverified assertion is covered by crates/passkeys/tests/ceremonies.rs.
test('a passkey without user verification does not sign in', async () => {
  const { upn } = await newUser('no-uv');
  const context = await browser.newContext();
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  await registerPasskey(page, upn);
  // The same authenticator now answers without verifying the user (no PIN, no biometric).
  await authenticator.cdp.send('WebAuthn.setUserVerified', {
    authenticatorId: authenticator.authenticatorId,
    isUserVerified: false,
  });
  await page.goto(`${server.url}/signin`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  const alert = page.locator('[data-webauthn-error]').last();
  await alert.waitFor();
  assert.match(await alert.textContent(), /cancelled or timed out|could not use a passkey/);
  assert.equal(await sessionCookie(context), undefined);
  await context.close();
});
