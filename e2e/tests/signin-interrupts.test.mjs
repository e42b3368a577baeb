// The sign-in's interrupts end to end in headless Chromium: a user without a method
// registers an authenticator app (codes from the real oathtool) or a passkey (the
// DevTools virtual authenticator) inside the sign-in and goes on signed in; a password
// an administrator marked "change at next sign-in" is changed under the rules.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, addVirtualAuthenticator, virtualCredentials, screenshot } from '../lib/browser.mjs';
import { totp } from '../lib/otp.mjs';

const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'violet harbour engine 1842';
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

async function newUser(prefix, { forceChange = false } = {}) {
  counter += 1;
  const upn = `${prefix}-${counter}-${Date.now()}@example.test`;
  const user = await server.graph.post('/v1.0/users', {
    accountEnabled: true,
    displayName: `${prefix} user`,
    userPrincipalName: upn,
    passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: forceChange },
  });
  return { upn, id: user.id };
}

/** A policy for one user only, so the tests in this file do not affect each other. */
async function policyFor(userId, name, grantControls) {
  await server.graph.createPolicy({
    displayName: name,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [userId] },
      applications: { includeApplications: ['All'] },
      clientAppTypes: ['all'],
    },
    grantControls,
  });
}

async function passwordSignIn(page, upn, password = PASSWORD) {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'portcullis_session');
}

test('a user without a method registers an authenticator app inside the sign-in', async () => {
  const { upn, id } = await newUser('register-app');
  await policyFor(id, 'MFA for register-app', { operator: 'OR', builtInControls: ['mfa'] });
  const context = await browser.newContext();
  const page = await context.newPage();
  await passwordSignIn(page, upn);
  await page.getByRole('heading', { name: 'Keep your account secure' }).waitFor();
  await screenshot(page, 'signin-registration-interrupt');
  assert.equal(await sessionCookie(context), undefined, 'no session before a second factor');
  await page.getByRole('button', { name: /Authenticator app/ }).click();
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  const firstSecret = (await page.locator('#totp-secret').textContent()).trim();

  // A wrong first code ends that key; the page shows a new one.
  const right = totp(firstSecret);
  await page.getByLabel('Code', { exact: true }).fill(right === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').filter({ hasText: 'made a new key' }).waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  assert.notEqual(secret, firstSecret);

  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  assert.ok(await sessionCookie(context), 'signed in after registering');
  await page.getByRole('button', { name: 'No' }).click();

  // The app is in My security info, and the sign-in log names the interrupt and the
  // completion with the app as the second factor.
  await page.goto(`${server.url}/security-info`);
  await page.locator('.methods .kind', { hasText: /authenticator app/i }).first().waitFor();
  const filter = encodeURIComponent(`userId eq '${id}'`);
  const { value } = await server.graph.get(`/v1.0/auditLogs/signIns?$filter=${filter}&$top=50`);
  const codes = value.map((entry) => entry.status.errorCode);
  assert.ok(codes.includes(50072), `registration interrupt logged: ${codes}`);
  assert.ok(codes.includes(0), `completion logged: ${codes}`);
  await context.close();
});

test('a passkey registered in the interrupt meets a phishing-resistant policy', async () => {
  const { upn, id } = await newUser('register-passkey');
  await policyFor(id, 'Phishing-resistant for register-passkey', {
    operator: 'OR',
    builtInControls: [],
    authenticationStrength: { id: PHISHING_RESISTANT },
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  await passwordSignIn(page, upn);
  await page.getByRole('heading', { name: 'Keep your account secure' }).waitFor();
  // Only a passkey can satisfy the strength: no authenticator app is offered.
  assert.equal(await page.getByRole('button', { name: /Authenticator app/ }).count(), 0);
  await page.getByRole('button', { name: /Passkey/ }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  assert.equal((await virtualCredentials(authenticator)).length, 1);
  assert.ok(await sessionCookie(context));
  await context.close();
});

test('a password marked for change at next sign-in is changed under the rules', async () => {
  const { upn } = await newUser('ada-lovelace', { forceChange: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  await passwordSignIn(page, upn);
  await page.getByRole('heading', { name: 'Update your password' }).waitFor();
  await screenshot(page, 'signin-password-change');

  const attempt = async (password, confirm = password) => {
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Confirm new password').fill(confirm);
    await page.getByRole('button', { name: 'Update password' }).click();
  };
  await attempt(NEW_PASSWORD, `${NEW_PASSWORD}!`);
  await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
  await attempt('password');
  await page.getByRole('alert').filter({ hasText: /at least 8|commonly used/ }).waitFor();
  await attempt(PASSWORD);
  await page.getByRole('alert').filter({ hasText: 'different from your current' }).waitFor();
  await attempt(NEW_PASSWORD);
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await context.close();

  // The old password is gone; the new one signs in without another change.
  const again = await browser.newContext();
  const next = await again.newPage();
  await passwordSignIn(next, upn, PASSWORD);
  await next.getByRole('alert').filter({ hasText: /incorrect/ }).waitFor();
  await passwordSignIn(next, upn, NEW_PASSWORD);
  await next.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await again.close();
});
