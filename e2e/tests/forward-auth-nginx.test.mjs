// Forward-auth through a real nginx (Debian's package, `auth_request`) in front of a tiny
// test app, with the user in headless Chromium: unauthenticated → redirected to the
// sign-in pages → back at the app with identity headers; a Conditional Access policy
// requiring MFA for that app forces a step-up on a password-only session; one requiring
// phishing-resistant MFA forces a passkey step-up (Chromium's virtual authenticator);
// disabling the user, or an admin revoking their sessions, ends access within 5 s.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortcullis, freePort } from '../lib/server.mjs';
import { startEchoApp, waitUntilListening } from '../lib/proxy.mjs';
import { launchBrowser, addVirtualAuthenticator } from '../lib/browser.mjs';
import { totp } from '../lib/otp.mjs';

const PASSWORD = 'correct horse battery staple 42';
/** The built-in "Phishing-resistant MFA" authentication strength. */
const PHISHING_RESISTANT = '00000000-0000-0000-0000-000000000004';

let server;
let browser;
let upstream;
let nginx;
let prefix;
let wiki;
let counter = 0;
const nginxLogs = [];

async function startNginx(portcullisPort, upstreamPort) {
  prefix = mkdtempSync(join(tmpdir(), 'portcullis-nginx-'));
  const port = await freePort();
  const template = readFileSync(new URL('../fixtures/nginx-forward-auth.conf', import.meta.url), 'utf8');
  const conf = template
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{PORTCULLIS}}', String(portcullisPort))
    .replaceAll('{{UPSTREAM}}', String(upstreamPort));
  const confPath = join(prefix, 'nginx.conf');
  writeFileSync(confPath, conf);
  const child = spawn('nginx', ['-p', prefix, '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => nginxLogs.push(d.toString()));
  child.stderr.on('data', (d) => nginxLogs.push(d.toString()));
  const url = `http://localhost:${port}`;
  await waitUntilListening(child, url, nginxLogs, 'nginx');
  return { child, url, port };
}

before(async () => {
  server = await startPortcullis({ config: '[http]\ntrusted_proxies = ["127.0.0.1/32"]\n' });
  browser = await launchBrowser();
  upstream = await startEchoApp();
  // nginx's port is known only once it starts; the app is registered for it right after.
  nginx = await startNginx(new URL(server.url).port, upstream.port);
  wiki = await server.graph.post('/v1.0/applications', {
    displayName: 'Wiki behind nginx',
    applicationType: 'forwardAuth',
    settings: { host: `localhost:${nginx.port}`, pathPrefix: '/' },
  });
});

after(async () => {
  await browser?.close();
  nginx?.child.kill('SIGTERM');
  upstream?.app.close();
  await server?.stop();
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

async function newUser(name) {
  counter += 1;
  const upn = `${name}.${counter}.${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD, displayName: `Forward ${name}` });
  return user;
}

/** Name and password on the sign-in pages, declining "stay signed in?" when asked. */
async function signInOnPages(page, upn, leaving) {
  await page.waitForURL((u) => u.pathname === '/signin');
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await answerStaySignedIn(page, leaving);
}

/** "Stay signed in?" appears only when no policy decided persistence. */
async function answerStaySignedIn(page, leaving) {
  const stay = page.getByRole('heading', { name: 'Stay signed in?' });
  await Promise.race([stay.waitFor(), page.waitForURL(leaving)]);
  if (await stay.isVisible()) await page.getByRole('button', { name: 'No' }).click();
}

/** The app's JSON echo of what nginx handed it. */
async function appSees(page) {
  return JSON.parse(await page.locator('body').innerText());
}

test('unauthenticated → sign-in pages → back at the app with identity headers → disabled user refused within 5 s', async () => {
  const user = await newUser('ada');
  const context = await browser.newContext();
  const page = await context.newPage();
  const target = `${nginx.url}/docs/page?x=1`;

  // 1. No session: nginx turns Portcullis's 401 into a redirect to the sign-in page.
  const anonymous = await fetch(target, { redirect: 'manual' });
  assert.equal(anonymous.status, 302, nginxLogs.join(''));
  const location = new URL(anonymous.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, `${server.url}/signin`);
  assert.equal(location.searchParams.get('return_to'), target);
  assert.equal(location.searchParams.get('app'), wiki.appId);

  // 2. The browser follows it, signs in, and is sent back (cookies are per host, not
  // per port, so the session cookie reaches nginx on localhost too).
  await page.goto(target);
  const back = (u) => u.origin === nginx.url;
  await signInOnPages(page, user.userPrincipalName, back);
  await page.waitForURL(back);
  const seen = await appSees(page);
  assert.equal(seen.path, '/docs/page?x=1');
  assert.equal(seen.user, user.userPrincipalName);
  assert.equal(seen.name, 'Forward ada');
  assert.equal(seen.jwt.split('.').length, 3, 'signed identity JWT');
  const jwtClaims = JSON.parse(Buffer.from(seen.jwt.split('.')[1], 'base64url').toString());
  assert.equal(jwtClaims.sub, user.id);

  // A client cannot smuggle its own identity header past nginx.
  const cookie = (await context.cookies(server.url)).find((c) => c.name === 'portcullis_session');
  assert.ok(cookie, 'session cookie');
  const header = `portcullis_session=${cookie.value}`;
  const forged = await fetch(`${nginx.url}/`, { headers: { cookie: header, 'remote-user': 'admin@example.test' } });
  assert.equal((await forged.json()).user, user.userPrincipalName);

  // 3. Continuous access evaluation: disable the user; the next requests fail within 5 s.
  await server.graph.patch(`/v1.0/users/${user.id}`, { accountEnabled: false });
  console.log(`disabled user refused after ${await refusedWithin(header, 5_000)} ms`);
  // And the browser lands on the sign-in page again.
  await page.goto(`${nginx.url}/docs/page?x=2`);
  await page.waitForURL((u) => u.pathname === '/signin');
  await context.close();
});

test('a policy requiring MFA for the app steps a password-only session up', async () => {
  const user = await newUser('bea');
  const context = await browser.newContext();
  const page = await context.newPage();

  // Signed in to Portcullis itself with a password only, the user adds an authenticator
  // app on My security info (codes from the real oathtool).
  await page.goto(`${server.url}/signin?return_to=%2Fsecurity-info`);
  await signInOnPages(page, user.userPrincipalName, (u) => u.pathname === '/security-info');
  await page.waitForURL((u) => u.pathname === '/security-info');
  await page.getByRole('button', { name: 'Authenticator app' }).click();
  await page.locator('summary', { hasText: "Can't scan it?" }).click();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL((u) => u.pathname === '/security-info');

  // The wiki now needs MFA for this user (Conditional Access replaces security defaults).
  await server.graph.patch('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', { isEnabled: false });
  await server.graph.createPolicy({
    displayName: `Wiki needs MFA ${counter}`,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [user.id] },
      applications: { includeApplications: [wiki.appId] },
      clientAppTypes: ['all'],
    },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  });

  // The password-only session is not enough: nginx sends the browser to sign in for the
  // wiki, which asks only for the missing second factor.
  await page.goto(`${nginx.url}/stepped?up=1`);
  await page.waitForURL((u) => u.pathname === '/signin');
  assert.equal(new URL(page.url()).searchParams.get('app'), wiki.appId);
  await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
  assert.equal(await page.getByLabel('Password', { exact: true }).count(), 0, 'no password asked again');
  // The enrolment used this period's code; a code is accepted once, so use the next one.
  const next = new Date(Date.now() + 30_000);
  await page.getByLabel(/Code from your authenticator app/).first().fill(totp(secret, { at: next }));
  await page.getByRole('button', { name: 'Verify' }).first().click();
  const back = (u) => u.origin === nginx.url;
  await answerStaySignedIn(page, back);
  await page.waitForURL(back);
  const seen = await appSees(page);
  assert.equal(seen.path, '/stepped?up=1');
  assert.equal(seen.user, user.userPrincipalName);
  const jwtClaims = JSON.parse(Buffer.from(seen.jwt.split('.')[1], 'base64url').toString());
  assert.ok(jwtClaims.amr.includes('mfa') || jwtClaims.amr.includes('otp'), JSON.stringify(jwtClaims));
  await context.close();
});

/** Polls the app with a session cookie until nginx answers 302 (sign in); ms taken. */
async function refusedWithin(cookieHeader, limitMs) {
  const started = Date.now();
  let status;
  while (Date.now() - started < limitMs) {
    status = (await fetch(`${nginx.url}/`, { headers: { cookie: cookieHeader }, redirect: 'manual' })).status;
    if (status === 302) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`still ${status} after ${limitMs} ms`);
}

test('phishing-resistant MFA for the app steps an MFA session up to a passkey; an admin revoke ends it within 5 s', async () => {
  const user = await newUser('cyd');
  const context = await browser.newContext();
  const page = await context.newPage();
  await addVirtualAuthenticator(page);

  // Signed in with a password, the user registers a passkey on My security info.
  await page.goto(`${server.url}/signin?return_to=%2Fsecurity-info`);
  await signInOnPages(page, user.userPrincipalName, (u) => u.pathname === '/security-info');
  await page.waitForURL((u) => u.pathname === '/security-info');
  await page.getByRole('button', { name: 'Passkey', exact: true }).click();
  await page.locator('.methods .kind', { hasText: /passkey/i }).first().waitFor();

  await server.graph.patch('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', { isEnabled: false });
  await server.graph.createPolicy({
    displayName: `Wiki needs phishing-resistant MFA ${counter}`,
    state: 'enabled',
    conditions: {
      users: { includeUsers: [user.id] },
      applications: { includeApplications: [wiki.appId] },
      clientAppTypes: ['all'],
    },
    grantControls: { operator: 'OR', authenticationStrength: { id: PHISHING_RESISTANT } },
  });

  // The password session does not satisfy the strength: nginx sends the browser to sign
  // in for the wiki, which asks for the passkey (never the password again).
  await page.goto(`${nginx.url}/vault?open=1`);
  await page.waitForURL((u) => u.pathname === '/signin');
  assert.equal(new URL(page.url()).searchParams.get('app'), wiki.appId);
  await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
  assert.equal(await page.getByLabel('Password', { exact: true }).count(), 0, 'no password asked again');
  await page.getByRole('button', { name: /Use my passkey/ }).click();
  const back = (u) => u.origin === nginx.url;
  await answerStaySignedIn(page, back);
  await page.waitForURL(back);
  const seen = await appSees(page);
  assert.equal(seen.path, '/vault?open=1');
  assert.equal(seen.user, user.userPrincipalName);
  const jwtClaims = JSON.parse(Buffer.from(seen.jwt.split('.')[1], 'base64url').toString());
  assert.ok(jwtClaims.amr.includes('hwk'), JSON.stringify(jwtClaims));

  // An administrator revokes the user's sessions: the stepped-up session ends too.
  const cookie = (await context.cookies(server.url)).find((c) => c.name === 'portcullis_session');
  const header = `portcullis_session=${cookie.value}`;
  assert.equal((await fetch(`${nginx.url}/`, { headers: { cookie: header }, redirect: 'manual' })).status, 200);
  await server.graph.post(`/v1.0/users/${user.id}/revokeSignInSessions`, {});
  console.log(`revoked session refused after ${await refusedWithin(header, 5_000)} ms`);
  await context.close();
});
