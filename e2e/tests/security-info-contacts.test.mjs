// My security info, end to end in headless Chromium: a user adds a mobile phone and an
// email address for themselves. Each needs a code sent through the development code
// provider (`signin.code_file`, one JSON line per code, read here); a badly written
// number is refused beside its field, a wrong code is refused, and nothing is saved
// until the right code comes back. The authentication methods policy decides what is
// offered, and a Conditional Access policy on registering security info blocks it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, screenshot } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';

let server;
let browser;
let codesDir;
let codeFile;
let counter = 0;

before(async () => {
  codesDir = mkdtempSync(join(tmpdir(), 'portcullis-codes-'));
  codeFile = join(codesDir, 'codes.jsonl');
  server = await startPortcullis({
    config: ['[signin]', `code_file = ${JSON.stringify(codeFile)}`, ''].join('\n'),
  });
  // No registration interrupt in the way: these users go straight to their security info.
  await server.graph.patch('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', {
    isEnabled: false,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (codesDir) rmSync(codesDir, { recursive: true, force: true });
});

/** The codes written so far to `destination`, oldest first. */
function codesFor(destination) {
  if (!existsSync(codeFile)) return [];
  return readFileSync(codeFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.destination === destination && entry.code);
}

async function latestCode(destination) {
  for (let i = 0; i < 50; i += 1) {
    const codes = codesFor(destination);
    if (codes.length) return codes[codes.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code was sent to ${destination}`);
}

function otherCode(code) {
  return [...code].map((d) => String((Number(d) + 1) % 10)).join('');
}

async function signedInUser() {
  counter += 1;
  const upn = `contacts-${counter}-${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'No' }).click();
  await page.goto(`${server.url}/security-info`);
  return { user, context, page };
}

async function methodTypes(userId) {
  const { value } = await server.graph.get(`/v1.0/users/${userId}/authentication/methods`);
  return value.map((m) => m['@odata.type']).sort();
}

test('a user adds a mobile phone and an email address, each verified by a code', async () => {
  const { user, context, page } = await signedInUser();

  // Phone: a national number is refused beside the field, keyboard only.
  await page.getByRole('link', { name: 'Phone', exact: true }).click();
  await page.getByRole('heading', { name: 'Add a phone' }).waitFor();
  const number = page.getByLabel('Phone number');
  await number.fill('06 1234 5678');
  await number.press('Enter');
  await page.locator('#number-error').filter({ hasText: 'international format' }).waitFor();
  assert.equal(await page.getByLabel('Phone number').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Phone number').inputValue(), '06 1234 5678', 'the entry is kept');
  await screenshot(page, 'security-info-phone-invalid');

  await page.getByLabel('Phone number').fill('+31 6 1234 5678');
  await page.getByLabel('Text me a code').check();
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('heading', { name: 'Enter the code' }).waitFor();
  await page.getByText('+31612345678').waitFor();
  const sms = await latestCode('+31612345678');
  assert.equal(sms.channel, 'sms');
  assert.match(sms.text, /to add this phone number to your security info/);

  // A wrong code: refused, attempts counted, nothing saved.
  await page.getByLabel('Code', { exact: true }).fill(otherCode(sms.code));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('#code-error').filter({ hasText: /not right\. 4 tries left/ }).waitFor();
  assert.deepEqual(await methodTypes(user.id), ['#microsoft.graph.passwordAuthenticationMethod']);
  // Asking again at once is throttled.
  await page.getByRole('button', { name: 'Send a new code' }).click();
  await page.locator('#code-error').filter({ hasText: /seconds/ }).waitFor();

  await page.getByLabel('Code', { exact: true }).fill(sms.code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');
  await page.locator('.methods li', { hasText: '+31612345678' }).waitFor();

  // Email.
  await page.getByRole('link', { name: 'Email', exact: true }).click();
  await page.getByLabel('Email address').fill('worker.home@example.org');
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('heading', { name: 'Enter the code' }).waitFor();
  const email = await latestCode('worker.home@example.org');
  assert.equal(email.channel, 'email');
  await page.getByLabel('Code', { exact: true }).fill(email.code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');
  await page.locator('.methods li', { hasText: 'worker.home@example.org' }).waitFor();

  assert.deepEqual(await methodTypes(user.id), [
    '#microsoft.graph.emailAuthenticationMethod',
    '#microsoft.graph.passwordAuthenticationMethod',
    '#microsoft.graph.phoneAuthenticationMethod',
  ]);
  const audits = await server.graph.get(
    `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'User registered security info'")}&$top=50`,
  );
  const mine = audits.value.filter((entry) => entry.initiatedBy?.user?.id === user.id);
  assert.equal(mine.length, 2, 'both registrations are audited as the user');
  await context.close();
});

test('a policy on registering security info blocks adding a phone', async () => {
  counter += 1;
  const upn = `contacts-blocked-${counter}-${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  await server.graph.createPolicy({
    displayName: `No registration for ${upn}`,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [user.id] },
      applications: { includeUserActions: ['urn:user:registersecurityinfo'] },
      clientAppTypes: ['all'],
      locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
    },
    grantControls: { operator: 'OR', builtInControls: ['block'] },
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'No' }).click();
  await page.goto(`${server.url}/security-info/phone`);
  await page.getByLabel('Phone number').fill('+31 6 9999 0000');
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('alert').filter({ hasText: 'trusted location' }).waitFor();
  assert.equal(codesFor('+31699990000').length, 0, 'no code was sent');
  assert.deepEqual(await methodTypes(user.id), ['#microsoft.graph.passwordAuthenticationMethod']);
  await context.close();
});

test('methods the authentication methods policy switches off are not offered', async () => {
  const configurations = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
  await server.graph.patch(`${configurations}/Email`, {
    '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration',
    state: 'disabled',
  });
  await server.graph.patch(`${configurations}/Voice`, {
    '@odata.type': '#microsoft.graph.voiceAuthenticationMethodConfiguration',
    state: 'disabled',
  });
  const { context, page } = await signedInUser();
  await page.getByRole('heading', { name: 'Security info' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Email', exact: true }).count(), 0);
  await page.getByRole('link', { name: 'Phone', exact: true }).click();
  await page.getByLabel('Text me a code').waitFor();
  assert.equal(await page.getByLabel('Call me with a code').count(), 0);
  await page.goto(`${server.url}/security-info/email`);
  await page.getByRole('alert').filter({ hasText: 'not enabled for you' }).waitFor();
  await context.close();
});
