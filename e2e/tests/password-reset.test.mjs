// Self-service password reset end to end in headless Chromium: "Forgot my password" from
// the sign-in page, verification with an authenticator app (codes from the real
// oathtool), the password rules, the new password signing in; a code emailed through an
// SMTP sink the test starts, and the notice that follows; and an unknown name walking
// through pages that look exactly the same.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, screenshot } from '../lib/browser.mjs';
import { totp } from '../lib/otp.mjs';
import { startSmtpSink, bodyText } from '../lib/smtp.mjs';

const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'violet harbour engine 1842';

let server;
let browser;
let smtp;
let counter = 0;

before(async () => {
  smtp = await startSmtpSink();
  server = await startPortcullis({
    config: [
      '[signin.email]',
      'host = "127.0.0.1"',
      `port = ${smtp.port}`,
      'security = "plainLoopback"',
      'from = "Portcullis <no-reply@example.test>"',
      '',
    ].join('\n'),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

async function signIn(page, upn, password) {
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A user who registered an authenticator app in My security info; returns its secret. */
async function userWithApp() {
  counter += 1;
  const upn = `reset-${counter}-${Date.now()}@example.test`;
  await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, upn, PASSWORD);
  // Security defaults (on by default) offer to register now or skip for 14 days.
  const interrupt = page.getByRole('heading', { name: 'Keep your account secure' });
  const stay = page.getByRole('heading', { name: 'Stay signed in?' });
  await interrupt.or(stay).waitFor();
  if (await interrupt.isVisible()) {
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await stay.waitFor();
  }
  await page.getByRole('button', { name: 'No' }).click();
  await page.goto(`${server.url}/security-info`);
  await page.getByRole('button', { name: 'Authenticator app' }).click();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');
  await context.close();
  return { upn, secret };
}

/** The verify page's visible text, without the per-reset handle. */
async function verifyPageText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ').trim();
}

test('a forgotten password is reset with an authenticator app code', async () => {
  const { upn, secret } = await userWithApp();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('link', { name: 'Forgot my password' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
  await screenshot(page, 'password-reset-verify');

  await page.getByLabel('Code from your authenticator app').fill('000000' === totp(secret) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify app code' }).click();
  await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
  // The step the app shows next: a code already used in registration is never taken twice.
  const later = new Date(Date.now() + 30_000);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, { at: later }));
  await page.getByRole('button', { name: 'Verify app code' }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();

  await page.getByLabel('New password', { exact: true }).fill('password');
  await page.getByLabel('Confirm new password').fill('password');
  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.getByRole('alert').filter({ hasText: /at least 8|commonly used/ }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.getByRole('heading', { name: 'Your password was reset' }).waitFor();

  await signIn(page, upn, PASSWORD);
  await page.getByRole('alert').filter({ hasText: /incorrect/ }).waitFor();
  await signIn(page, upn, NEW_PASSWORD);
  await page.getByRole('heading', { name: /Stay signed in\?|Keep your account secure/ }).waitFor();

  const audits = await server.graph.get('/v1.0/auditLogs/directoryAudits?$top=100');
  assert.ok(
    audits.value.some((entry) => entry.activityDisplayName === 'Reset password (self-service)'),
    'the reset is audited',
  );
  await context.close();
});

test('an unknown name sees the same pages and can never verify', async () => {
  const { upn } = await userWithApp();
  const texts = [];
  for (const name of [upn, `nobody-${Date.now()}@example.test`]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/password-reset`);
    await page.getByLabel('Email or username').fill(name);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: "Verify it's you" }).waitFor();
    const first = await verifyPageText(page);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByLabel('Code you received').fill('123456');
    const sent = await verifyPageText(page);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    texts.push([first, sent, await verifyPageText(page)]);
    await context.close();
  }
  assert.deepEqual(texts[0], texts[1]);
});

test('a code emailed through SMTP resets the password and the user is told', async () => {
  counter += 1;
  const upn = `mailreset-${counter}-${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD, mail: upn });
  const personal = `private-${counter}@example.test`;
  await server.graph.post(`/v1.0/users/${user.id}/authentication/emailMethods`, { emailAddress: personal });

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/password-reset`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Email me a code' }).click();
  const message = await smtp.waitFor((m) => m.to.some((to) => to.includes(personal)));
  const code = /password reset code is (\d+)/.exec(bodyText(message))?.[1];
  assert.ok(code, `a code in: ${bodyText(message)}`);
  await page.getByLabel('Code you received').fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.getByRole('heading', { name: 'Your password was reset' }).waitFor();

  const notice = await smtp.waitFor((m) => m.to.some((to) => to.includes(upn)));
  assert.match(bodyText(notice), /was reset/);
  await context.close();
});
