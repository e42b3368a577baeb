// Forward-auth through a real Caddy (Debian's package, `forward_auth`) in front of a tiny
// test app, with the user in headless Chromium: unauthenticated → Portcullis's redirect
// passed through Caddy → sign-in pages → back at the app with identity headers; a forged
// identity header replaced; disabling the user ends access within 5 s.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortcullis, freePort } from '../lib/server.mjs';
import { startEchoApp, waitUntilListening } from '../lib/proxy.mjs';
import { launchBrowser } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';

let server;
let browser;
let upstream;
let caddy;
let prefix;
let app;
const caddyLogs = [];

async function startCaddy(portcullisPort, upstreamPort) {
  prefix = mkdtempSync(join(tmpdir(), 'portcullis-caddy-'));
  const port = await freePort();
  const conf = readFileSync(new URL('../fixtures/Caddyfile', import.meta.url), 'utf8')
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{PORTCULLIS}}', String(portcullisPort))
    .replaceAll('{{UPSTREAM}}', String(upstreamPort));
  const confPath = join(prefix, 'Caddyfile');
  writeFileSync(confPath, conf);
  // Caddy keeps state under $HOME / XDG directories: a temporary one, not the user's.
  const env = { ...process.env, HOME: prefix, XDG_CONFIG_HOME: prefix, XDG_DATA_HOME: prefix };
  const child = spawn('caddy', ['run', '--config', confPath, '--adapter', 'caddyfile'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  child.stdout.on('data', (d) => caddyLogs.push(d.toString()));
  child.stderr.on('data', (d) => caddyLogs.push(d.toString()));
  const url = `http://localhost:${port}`;
  await waitUntilListening(child, url, caddyLogs, 'caddy', 15_000);
  return { child, url, port };
}

before(async () => {
  server = await startPortcullis({ config: '[http]\ntrusted_proxies = ["127.0.0.1/32"]\n' });
  browser = await launchBrowser();
  upstream = await startEchoApp();
  caddy = await startCaddy(new URL(server.url).port, upstream.port);
  app = await server.graph.post('/v1.0/applications', {
    displayName: 'Files behind Caddy',
    applicationType: 'forwardAuth',
    settings: { host: `localhost:${caddy.port}`, pathPrefix: '/' },
  });
});

after(async () => {
  await browser?.close();
  caddy?.child.kill('SIGTERM');
  upstream?.app.close();
  await server?.stop();
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

test('Caddy: unauthenticated → sign-in pages → back at the app with identity headers → disabled user refused within 5 s', async () => {
  const upn = `caddy.${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD, displayName: 'Caddy Tester' });
  const context = await browser.newContext();
  const page = await context.newPage();
  const target = `${caddy.url}/files/report.pdf?v=2`;

  // 1. No session: Caddy passes Portcullis's redirect to the sign-in page through.
  const anonymous = await fetch(target, { redirect: 'manual' });
  assert.equal(anonymous.status, 302, caddyLogs.join(''));
  const location = new URL(anonymous.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, `${server.url}/signin`);
  assert.equal(location.searchParams.get('return_to'), target);
  assert.equal(location.searchParams.get('app'), app.appId);

  // 2. The browser follows it, signs in and is sent back to the app.
  await page.goto(target);
  await page.waitForURL((u) => u.pathname === '/signin');
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const back = (u) => u.origin === caddy.url;
  const stay = page.getByRole('heading', { name: 'Stay signed in?' });
  await Promise.race([stay.waitFor(), page.waitForURL(back)]);
  if (await stay.isVisible()) await page.getByRole('button', { name: 'No' }).click();
  await page.waitForURL(back);
  const seen = JSON.parse(await page.locator('body').innerText());
  assert.equal(seen.path, '/files/report.pdf?v=2');
  assert.equal(seen.user, upn);
  assert.equal(seen.name, 'Caddy Tester');
  const claims = JSON.parse(Buffer.from(seen.jwt.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, user.id);

  // A client's own Remote-User header is replaced by the judged identity.
  const cookie = (await context.cookies(server.url)).find((c) => c.name === 'portcullis_session');
  const header = `portcullis_session=${cookie.value}`;
  const forged = await fetch(`${caddy.url}/`, { headers: { cookie: header, 'remote-user': 'admin@example.test' } });
  assert.equal((await forged.json()).user, upn);

  // 3. Continuous access evaluation through Caddy: disabling the user ends access.
  await server.graph.patch(`/v1.0/users/${user.id}`, { accountEnabled: false });
  const started = Date.now();
  let status;
  while (Date.now() - started < 5_000) {
    status = (await fetch(`${caddy.url}/`, { headers: { cookie: header }, redirect: 'manual' })).status;
    if (status === 302) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 302, `still ${status} after ${Date.now() - started} ms`);
  console.log(`disabled user refused through Caddy after ${Date.now() - started} ms`);
  await context.close();
});
