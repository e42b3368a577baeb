// Sign-in pages end to end in headless Chromium: password sign-in with the session
// cookie contract, wrong passwords and lockout, the error page with its correlation id,
// open-redirect refusal, sign-out.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';

let server;
let browser;
let counter = 0;

before(async () => {
  server = await startPortcullis();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new user with a password; returns its userPrincipalName. */
async function newUser(prefix) {
  counter += 1;
  const upn = `${prefix}-${counter}-${Date.now()}@example.test`;
  await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  return upn;
}

/** A fresh browser context (no cookies) and page. */
async function freshPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { context, page };
}

async function enterUsername(page, upn, query = '') {
  await page.goto(`${server.url}/signin${query}`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
}

async function enterPassword(page, password) {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'portcullis_session');
}

test('password sign-in sets the session cookie by the contract and returns to return_to', async () => {
  const upn = await newUser('pw');
  const { context, page } = await freshPage();
  await enterUsername(page, upn, '?return_to=%2Fsignout');
  await enterPassword(page, PASSWORD);
  // No policy decided persistence: the user is asked.
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  const cookie = await sessionCookie(context);
  assert.ok(cookie, 'session cookie set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.path, '/');
  assert.equal(cookie.expires, -1, 'a browser-session cookie until the user says yes');
  assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Yes' }).click();
  await page.waitForURL(`${server.url}/signout`);
  const kept = await sessionCookie(context);
  assert.equal(kept.value, cookie.value);
  assert.ok(kept.expires > Date.now() / 1000 + 3600, '"Yes" makes the cookie outlive the browser');
  await context.close();
});

test('every sign-in issues a new session id (a planted cookie is never promoted)', async () => {
  const upn = await newUser('fixation');
  const { context, page } = await freshPage();
  const planted = 'A'.repeat(43);
  await context.addCookies([{ name: 'portcullis_session', value: planted, url: server.url }]);
  await enterUsername(page, upn);
  await enterPassword(page, PASSWORD);
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  const first = await sessionCookie(context);
  assert.notEqual(first.value, planted);
  await page.getByRole('button', { name: 'No' }).click();
  // Signed in: /signin goes straight on instead of asking again.
  await page.goto(`${server.url}/signin?return_to=%2Fsignout`);
  await page.waitForURL(`${server.url}/signout`);
  await context.close();
});

test('a wrong password says so without revealing whether the account exists', async () => {
  const upn = await newUser('wrong');
  const { context, page } = await freshPage();
  await enterUsername(page, upn);
  await enterPassword(page, 'not the password');
  const known = await page.getByRole('alert').textContent();
  await enterUsername(page, `nobody-${Date.now()}@example.test`);
  await enterPassword(page, 'not the password');
  const unknown = await page.getByRole('alert').textContent();
  assert.equal(known, unknown);
  assert.match(known, /account or password is incorrect/);
  assert.equal(await sessionCookie(context), undefined);
  await context.close();
});

test('repeated wrong passwords lock the account and the error page shows the code and correlation id', async () => {
  const upn = await newUser('lockout');
  const { context, page } = await freshPage();
  await enterUsername(page, upn);
  let locked = false;
  for (let attempt = 0; attempt < 30 && !locked; attempt += 1) {
    // Smart lockout ignores a repeated wrong password: each guess differs.
    await enterPassword(page, `wrong guess ${attempt}`);
    locked = await page.getByRole('heading', { name: 'Account locked' }).isVisible();
  }
  assert.ok(locked, 'the account locked within 30 wrong passwords');
  const details = await page.locator('.troubleshooting').textContent();
  assert.match(details, /AADSTS50053/);
  assert.match(details, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  // Even the right password is refused while locked.
  await enterUsername(page, upn);
  await enterPassword(page, PASSWORD);
  assert.ok(await page.getByRole('heading', { name: 'Account locked' }).isVisible());
  assert.equal(await sessionCookie(context), undefined);
  await context.close();
});

test('an open redirect in return_to is refused with the error page', async () => {
  const { context, page } = await freshPage();
  for (const target of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
    const response = await page.goto(`${server.url}/signin?return_to=${encodeURIComponent(target)}`);
    assert.equal(response.status(), 400, target);
    assert.match(await page.locator('.troubleshooting').textContent(), /AADSTS90100/);
  }
  await context.close();
});

test('pages are served with a strict Content-Security-Policy and no inline script', async () => {
  const { context, page } = await freshPage();
  const response = await page.goto(`${server.url}/signin`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const inline = await page.locator('script:not([src])').count();
  assert.equal(inline, 0);
  await context.close();
});

test('signing out revokes the session and clears the cookie', async () => {
  const upn = await newUser('signout');
  const { context, page } = await freshPage();
  await enterUsername(page, upn);
  await enterPassword(page, PASSWORD);
  await page.getByRole('button', { name: 'No' }).click();
  const cookie = await sessionCookie(context);
  assert.ok(cookie);
  await page.goto(`${server.url}/signout`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You signed out' }).waitFor();
  assert.equal(await sessionCookie(context), undefined);
  // The old cookie value no longer signs anyone in.
  await context.addCookies([{ name: 'portcullis_session', value: cookie.value, url: server.url }]);
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Email or username').waitFor();
  await context.close();
});
