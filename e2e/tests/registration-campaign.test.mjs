// The registration campaign's nudge, end to end in headless Chromium: a user whose only
// second factor is a text message signs in with it (the code read from the development
// code file), is nudged towards Portcullis Authenticator, sets the app up right there
// (activation link from the page, activated by the real portcullis-authenticator), and
// continues to their destination; another user snoozes the nudge from the same page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortcullis, portcullisBin } from '../lib/server.mjs';
import { launchBrowser, screenshot } from '../lib/browser.mjs';

const run = promisify(execFile);
const AUTHENTICATOR =
  process.env.PORTCULLIS_AUTHENTICATOR_BIN ?? portcullisBin().replace(/portcullis$/, 'portcullis-authenticator');
const PASSWORD = 'correct horse battery staple 42';

let server;
let browser;
let scratch;
let codeFile;
let counter = 0;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'portcullis-campaign-'));
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

/** The newest code to `destination` once more than `after` were sent. */
async function latestCode(destination, after = 0) {
  for (let i = 0; i < 50; i += 1) {
    const codes = codesTo(destination);
    if (codes.length > after) return codes[codes.length - 1].code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code was sent to ${destination}`);
}

/** A user whose only second factor is a phone for text messages (so the default campaign targets them). */
async function textMessageUser() {
  counter += 1;
  const upn = `campaign-${counter}-${Date.now()}@example.test`;
  const phone = `+3161234${String(1000 + counter)}`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  await server.graph.post(`/v1.0/users/${user.id}/authentication/phoneMethods`, {
    phoneNumber: phone,
    phoneType: 'mobile',
  });
  return { user, upn, phone };
}

/** Password, then the texted code; ends on the campaign's nudge. */
async function signInToNudge(page, { upn, phone }) {
  await page.goto(`${server.url}/signin?return_to=%2Fsecurity-info`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
  const sent = codesTo(phone).length;
  await page.getByRole('button', { name: /Text a code/ }).first().click();
  const code = await latestCode(phone, sent);
  await page.getByLabel(/Enter the code we sent/).fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Keep your account secure' }).waitFor();
  await page.getByText('recommends a stronger way to sign in').waitFor();
}

test('the nudge sets up Portcullis Authenticator inline, then the sign-in continues', async () => {
  const person = await textMessageUser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInToNudge(page, person);
  await screenshot(page, 'campaign-nudge');

  await page.getByRole('button', { name: /Portcullis Authenticator/ }).click();
  await page.getByRole('heading', { name: 'Set up Portcullis Authenticator' }).waitFor();
  assert.ok(await page.locator('.qr svg').count(), 'the QR code is drawn inline');

  // Continuing before the app is activated: the page says so and shows a fresh link.
  await page.getByRole('button', { name: 'I activated the app, continue' }).click();
  await page.getByRole('alert').filter({ hasText: 'not activated yet' }).waitFor();

  const link = await page.locator('[data-activation-link]').inputValue();
  assert.match(link, /\/authenticator\/activate\?code=/);
  const dir = join(scratch, `app-${counter}`);
  await run(AUTHENTICATOR, ['--dir', dir, 'activate', link, '--name', 'Work phone'], { timeout: 60_000 });

  await page.getByRole('button', { name: 'I activated the app, continue' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await page.getByRole('button', { name: 'No' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');
  await page.locator('.methods .kind', { hasText: 'Portcullis Authenticator' }).waitFor();

  const { value } = await server.graph.get(`/v1.0/users/${person.user.id}/authentication/methods`);
  assert.ok(
    value.some((m) => m['@odata.type'] === '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod'),
    `the app is registered: ${JSON.stringify(value.map((m) => m['@odata.type']))}`,
  );
  await context.close();
});

test('the nudge can still be snoozed from the setup page', async () => {
  const person = await textMessageUser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInToNudge(page, person);
  await page.getByRole('button', { name: /Portcullis Authenticator/ }).click();
  await page.getByRole('heading', { name: 'Set up Portcullis Authenticator' }).waitFor();
  await page.getByRole('button', { name: 'Skip for now' }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await context.close();

  // Snoozed: the next sign-in goes straight through. (Codes to one phone are at least
  // 30 s apart, so wait out the first one's resend interval.)
  await new Promise((r) => setTimeout(r, 31_000));
  const again = await browser.newContext();
  const next = await again.newPage();
  await next.goto(`${server.url}/signin`);
  await next.getByLabel('Email or username').fill(person.upn);
  await next.getByRole('button', { name: 'Next' }).click();
  await next.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await next.getByRole('button', { name: 'Sign in', exact: true }).click();
  const sent = codesTo(person.phone).length;
  await next.getByRole('button', { name: /Text a code/ }).first().click();
  const code = await latestCode(person.phone, sent);
  await next.getByLabel(/Enter the code we sent/).fill(code);
  await next.getByRole('button', { name: 'Verify' }).click();
  await next.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await again.close();
});
