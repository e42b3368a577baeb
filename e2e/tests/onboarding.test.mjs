// Onboarding and the negative cases around it, end to end in headless Chromium:
// a new user without a password signs in with a Temporary Access Pass, registers a
// passkey and then signs in with the passkey alone; a wrong and a replayed TOTP code are
// refused (codes from the real oathtool); a policy on registering security info blocks
// registration from an untrusted location.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, addVirtualAuthenticator, virtualCredentials } from '../lib/browser.mjs';
import { totp } from '../lib/otp.mjs';

const PASSWORD = 'correct horse battery staple 42';

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

function uniqueUpn(prefix) {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}@example.test`;
}

async function enterName(page, upn) {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
}

async function passwordSignIn(page, upn) {
  await enterName(page, upn);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  await page.goto(`${server.url}/signout`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You signed out' }).waitFor();
}

test('a new user signs in with a Temporary Access Pass, adds a passkey, then uses only the passkey', async () => {
  const upn = uniqueUpn('onboard');
  // No password at all: the pass is the user's first credential.
  const user = await server.graph.post('/v1.0/users', {
    accountEnabled: true,
    displayName: 'New starter',
    userPrincipalName: upn,
  });
  const issued = await server.graph.post(
    `/v1.0/users/${user.id}/authentication/temporaryAccessPassMethods`,
    { lifetimeInMinutes: 60, isUsableOnce: false },
  );
  assert.ok(issued.temporaryAccessPass, 'the pass is shown once, to the admin');

  const context = await browser.newContext();
  const page = await context.newPage();
  const authenticator = await addVirtualAuthenticator(page);
  await enterName(page, upn);
  await page.getByText('Use a Temporary Access Pass instead').click();
  await page.getByLabel('Temporary Access Pass').fill(issued.temporaryAccessPass);
  await page.getByRole('button', { name: 'Sign in with the pass' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await page.getByRole('button', { name: 'No' }).click();

  // The pass counts as a strong sign-in: registering a passkey needs nothing more.
  await page.goto(`${server.url}/security-info`);
  await page.getByRole('button', { name: 'Passkey', exact: true }).click();
  await page.locator('.methods .kind', { hasText: /passkey/i }).first().waitFor();
  assert.equal((await virtualCredentials(authenticator)).length, 1);
  await signOut(page);

  await page.goto(`${server.url}/signin`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();

  const filter = encodeURIComponent(`userId eq '${user.id}'`);
  const { value } = await server.graph.get(`/v1.0/auditLogs/signIns?$filter=${filter}&$top=50`);
  const methods = value.flatMap((entry) => entry.authenticationDetails.map((d) => d.authenticationMethod));
  assert.ok(methods.some((m) => /Temporary Access Pass/i.test(m)), `TAP sign-in logged: ${methods}`);
  assert.ok(methods.some((m) => /passkey|FIDO2/i.test(m)), `passkey sign-in logged: ${methods}`);
  await context.close();
});

test('a wrong and a replayed authenticator code are refused', async () => {
  const upn = uniqueUpn('replay');
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const context = await browser.newContext();
  const page = await context.newPage();
  await passwordSignIn(page, upn);
  await page.getByRole('button', { name: 'No' }).click();
  await page.goto(`${server.url}/security-info`);
  await page.getByRole('button', { name: 'Authenticator app' }).click();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  const registrationCode = totp(secret);
  await page.getByLabel('Code', { exact: true }).fill(registrationCode);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');
  await signOut(page);

  await server.graph.createPolicy({
    displayName: `MFA for ${upn}`,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [user.id] },
      applications: { includeApplications: ['All'] },
      clientAppTypes: ['all'],
    },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  });
  await passwordSignIn(page, upn);
  const code = page.getByLabel(/Code from your authenticator app/).first();
  await code.waitFor();
  const wrong = registrationCode === '000000' ? '111111' : '000000';
  await code.fill(wrong);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').waitFor();
  const wrongText = await page.getByRole('alert').textContent();
  // The registration's code is spent: within the drift window it is a replay.
  await page.getByLabel(/Code from your authenticator app/).first().fill(registrationCode);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').waitFor();
  assert.ok(
    (await sessionCookie(context)) === undefined,
    `no session after a wrong (${wrongText}) or replayed code`,
  );
  // The app's next code signs in.
  await page.getByLabel(/Code from your authenticator app/).first().fill(totp(secret, { at: new Date(Date.now() + 30_000) }));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();

  const filter = encodeURIComponent(`userId eq '${user.id}'`);
  const { value } = await server.graph.get(`/v1.0/auditLogs/signIns?$filter=${filter}&$top=50`);
  const details = value.flatMap((entry) => entry.authenticationDetails.map((d) => d.authenticationStepResultDetail));
  assert.ok(details.includes('Invalid verification code'), `wrong code logged: ${details}`);
  assert.ok(details.includes('OTP code reused'), `replay logged: ${details}`);
  await context.close();
});

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'portcullis_session');
}

test('registering security info from an untrusted location is blocked by policy', async () => {
  const upn = uniqueUpn('untrusted');
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const office = await server.graph.post('/v1.0/identity/conditionalAccess/namedLocations', {
    '@odata.type': '#microsoft.graph.ipNamedLocation',
    displayName: `Office ${counter}`,
    isTrusted: true,
    ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '10.20.0.0/16' }],
  });
  await server.graph.createPolicy({
    displayName: `Register only from the office ${counter}`,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [user.id] },
      applications: { includeUserActions: ['urn:user:registersecurityinfo'] },
      clientAppTypes: ['all'],
      locations: { includeLocations: ['All'], excludeLocations: [office.id] },
    },
    grantControls: { operator: 'OR', builtInControls: ['block'] },
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await passwordSignIn(page, upn);
  await page.getByRole('button', { name: 'No' }).click();
  await page.goto(`${server.url}/security-info`);
  await page.getByRole('button', { name: 'Authenticator app' }).click();
  await page.getByRole('alert').filter({ hasText: 'trusted location' }).waitFor();
  const { value } = await server.graph.get(`/v1.0/users/${user.id}/authentication/methods`);
  assert.deepEqual(
    value.map((m) => m['@odata.type']),
    ['#microsoft.graph.passwordAuthenticationMethod'],
    'nothing was registered',
  );
  await context.close();
});
