// The sign-in's registration interrupt, end to end in headless Chromium: a user without
// any second factor, under a policy requiring MFA, adds a phone for text messages right
// inside the sign-in (the code read from the development code file), and the sign-in
// goes on with that phone counted as its second factor. A badly written number is
// refused beside its field and a wrong code is refused; nothing is saved until the right
// code comes back.

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
let scratch;
let codeFile;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'portcullis-registration-'));
  codeFile = join(scratch, 'codes.jsonl');
  server = await startPortcullis({
    config: ['[signin]', `code_file = ${JSON.stringify(codeFile)}`, ''].join('\n'),
  });
  await server.graph.patch('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', {
    isEnabled: false,
  });
  await server.graph.createPolicy({
    displayName: 'MFA for everyone',
    state: 'enabled',
    conditions: {
      users: { includeUsers: ['All'] },
      applications: { includeApplications: ['All'] },
      clientAppTypes: ['all'],
    },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function codesTo(destination) {
  if (!existsSync(codeFile)) return [];
  return readFileSync(codeFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.destination === destination && entry.code);
}

async function latestCode(destination) {
  for (let i = 0; i < 50; i += 1) {
    const codes = codesTo(destination);
    if (codes.length) return codes[codes.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code was sent to ${destination}`);
}

function otherCode(code) {
  return [...code].map((d) => String((Number(d) + 1) % 10)).join('');
}

async function methodTypes(userId) {
  const { value } = await server.graph.get(`/v1.0/users/${userId}/authentication/methods`);
  return value.map((m) => m['@odata.type']).sort();
}

test('a user without a second factor adds a phone inside the sign-in and finishes signing in', async () => {
  const upn = `interrupt-phone-${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/signin?return_to=%2Fsecurity-info`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Keep your account secure' }).waitFor();
  await page.getByText('requires you to set up another way').waitFor();
  await screenshot(page, 'registration-interrupt-choices');

  await page.getByRole('button', { name: /^Phone/ }).click();
  await page.getByRole('heading', { name: 'Add a phone' }).waitFor();
  // The sign-in's own page: no security-info navigation, no cancel to a page the user
  // cannot reach yet.
  assert.equal(await page.getByRole('link', { name: 'My security info' }).count(), 0);
  const number = page.getByLabel('Phone number');
  await number.fill('06 1234 5678');
  await number.press('Enter');
  await page.locator('#number-error').filter({ hasText: 'international format' }).waitFor();
  assert.equal(await page.getByLabel('Phone number').inputValue(), '06 1234 5678', 'the entry is kept');

  await page.getByLabel('Phone number').fill('+31 6 5555 0101');
  await page.getByLabel('Text me a code').check();
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('heading', { name: 'Enter the code' }).waitFor();
  await page.getByText('+31655550101').waitFor();
  const sms = await latestCode('+31655550101');
  assert.equal(sms.channel, 'sms');
  assert.equal(sms.purpose, 'registration');
  assert.match(sms.text, /to add this phone number to your security info/);
  assert.doesNotMatch(sms.text, /sign/);
  await screenshot(page, 'registration-interrupt-code');

  await page.getByLabel('Code', { exact: true }).fill(otherCode(sms.code));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('#code-error').filter({ hasText: /not right\. 4 tries left/ }).waitFor();
  assert.deepEqual(await methodTypes(user.id), ['#microsoft.graph.passwordAuthenticationMethod']);

  await page.getByLabel('Code', { exact: true }).fill(sms.code);
  await page.getByRole('button', { name: 'Verify' }).click();
  // The phone was this sign-in's second factor: on to "stay signed in?", or first the
  // registration campaign's nudge (which only follows a multifactor sign-in), snoozed.
  const stay = page.getByRole('heading', { name: 'Stay signed in?' });
  const nudge = page.getByText('recommends a stronger way to sign in');
  await stay.or(nudge).waitFor();
  if (await nudge.isVisible()) {
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await stay.waitFor();
  }
  await page.getByRole('button', { name: 'No' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');
  await page.locator('.methods li', { hasText: '+31655550101' }).waitFor();

  assert.deepEqual(await methodTypes(user.id), [
    '#microsoft.graph.passwordAuthenticationMethod',
    '#microsoft.graph.phoneAuthenticationMethod',
  ]);
  const audits = await server.graph.get(
    `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'User registered security info'")}&$top=50`,
  );
  const mine = audits.value.filter((entry) => entry.initiatedBy?.user?.id === user.id);
  assert.equal(mine.length, 1, 'the registration is audited as the user');
  const signIns = await server.graph.get(
    `/v1.0/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${user.id}'`)}&$top=10`,
  );
  const succeeded = signIns.value.find((entry) => entry.status?.errorCode === 0);
  assert.ok(succeeded, `a successful sign-in is logged: ${JSON.stringify(signIns.value.map((e) => e.status))}`);
  assert.equal(succeeded.authenticationRequirement, 'multiFactorAuthentication');
  await context.close();
});
