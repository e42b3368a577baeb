// My sessions (/security-info/sessions) in headless Chromium: a user signed in on two
// browsers sees both, signs the other one out, then signs out everywhere; each browser
// whose session ended is sent back to the sign-in page on its next request.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';
const SESSIONS = '/security-info/sessions';

let server;
let browser;

before(async () => {
  server = await startPortcullis();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A browser (fresh context) signed in as `upn`, on the sessions page. */
async function signedInBrowser(upn, userAgent) {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  // "Sign out everywhere" asks for confirmation first.
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto(`${server.url}${SESSIONS}`);
  await page.waitForURL((u) => u.pathname === '/signin');
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await page.getByRole('button', { name: 'No' }).click();
  await page.waitForURL((u) => u.pathname === SESSIONS);
  return { context, page };
}

function rows(page) {
  return page.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
}

async function isSignedOut(page) {
  await page.goto(`${server.url}${SESSIONS}`);
  return new URL(page.url()).pathname === '/signin';
}

test('a user sees their sessions, signs another browser out, then signs out everywhere', async () => {
  const upn = `sessions-${Date.now()}@example.test`;
  await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const laptop = await signedInBrowser(upn, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0');
  const phone = await signedInBrowser(upn, 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36');

  await laptop.page.reload();
  assert.equal(await rows(laptop.page).count(), 2);
  const current = rows(laptop.page).filter({ hasText: 'This browser' });
  assert.equal(await current.count(), 1);
  assert.match(await current.textContent(), /Firefox/);
  const other = rows(laptop.page).filter({ hasNotText: 'This browser' });
  assert.match(await other.textContent(), /Chrome/);
  assert.match(await other.textContent(), /password/);

  // Sign the phone out from the laptop.
  await other.getByRole('button', { name: /Sign out of Chrome/ }).click();
  await laptop.page.waitForURL((u) => u.pathname === SESSIONS);
  assert.equal(await rows(laptop.page).count(), 1);
  assert.ok(await isSignedOut(phone.page), 'the phone is signed out');
  assert.ok(!(await isSignedOut(laptop.page)), 'the laptop is not');

  // Sign in on the phone again, then sign out everywhere from the laptop.
  await phone.context.close();
  const again = await signedInBrowser(upn, 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36');
  await laptop.page.goto(`${server.url}${SESSIONS}`);
  assert.equal(await rows(laptop.page).count(), 2);
  await laptop.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await laptop.page.waitForURL((u) => u.pathname === '/signin');
  const cookies = await laptop.context.cookies(server.url);
  assert.equal(cookies.find((c) => c.name === 'portcullis_session'), undefined, 'cookie cleared');
  assert.ok(await isSignedOut(again.page), 'the other browser is signed out too');
  await laptop.context.close();
  await again.context.close();
});

test('the sessions page needs a session and its forms a CSRF token', async () => {
  const res = await fetch(`${server.url}${SESSIONS}`, { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/signin\?return_to=%2Fsecurity-info%2Fsessions/);
  const post = await fetch(`${server.url}${SESSIONS}/revoke-all`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    body: 'csrf_token=forged',
    redirect: 'manual',
  });
  assert.ok(post.status === 403 || post.status === 400, `forged post answered ${post.status}`);
});
