// Forward-auth through a real nginx (Debian's package, `auth_request`) in front of a tiny
// test app: unauthenticated → redirected to sign in → signed in through the JSON sign-in
// API → back at the app with identity headers; disabling the user ends access within 5 s.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortcullis, freePort } from '../lib/server.mjs';

let server;
let upstream;
let nginx;
let nginxUrl;
let prefix;
let wiki;
const nginxLogs = [];

/** A tiny app that answers with the identity headers it received. */
async function startUpstream() {
  const app = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      path: req.url,
      user: req.headers['remote-user'] ?? null,
      email: req.headers['remote-email'] ?? null,
      name: req.headers['remote-name'] ?? null,
      groups: req.headers['remote-groups'] ?? null,
      jwt: req.headers['remote-jwt'] ?? null,
    }));
  });
  const port = await freePort();
  await new Promise((resolve) => app.listen(port, '127.0.0.1', resolve));
  return { app, port };
}

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
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${nginxLogs.join('')}`);
    try {
      await fetch(`${url}/`, { redirect: 'manual' });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx not listening: ${nginxLogs.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { child, url, port };
}

/** Signs in through the JSON sign-in API for the forward-auth application. */
async function signIn(username, password) {
  const post = async (path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  };
  const begun = await post('/api/v1/signin', { username, clientId: wiki.appId });
  const done = await post(`/api/v1/signin/${encodeURIComponent(begun.transaction)}/password`, { password });
  assert.equal(done.outcome?.kind, 'done', JSON.stringify(done));
  return done.session.token;
}

before(async () => {
  server = await startPortcullis({ config: '[http]\ntrusted_proxies = ["127.0.0.1/32"]\n' });
  upstream = await startUpstream();
  const portcullisPort = new URL(server.url).port;
  // nginx's port is known only once it starts; register the app for it right after.
  nginx = await startNginx(portcullisPort, upstream.port);
  nginxUrl = nginx.url;
  wiki = await server.graph.post('/v1.0/applications', {
    displayName: 'Wiki behind nginx',
    applicationType: 'forwardAuth',
    settings: { host: `localhost:${nginx.port}`, pathPrefix: '/' },
  });
});

after(async () => {
  nginx?.child.kill('SIGTERM');
  upstream?.app.close();
  await server?.stop();
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

test('unauthenticated → sign-in → identity headers → disabled user refused within 5 s', async () => {
  const upn = `fa.${Date.now()}@example.test`;
  const password = 'correct horse battery staple 42';
  const user = await server.graph.createUser({ userPrincipalName: upn, password, displayName: 'Forward Auth' });

  // 1. No session: nginx redirects to Portcullis's sign-in page with the way back.
  const anonymous = await fetch(`${nginxUrl}/docs/page?x=1`, { redirect: 'manual' });
  assert.equal(anonymous.status, 302, nginxLogs.join(''));
  const location = new URL(anonymous.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, `${server.url}/signin`);
  assert.equal(location.searchParams.get('return_to'), `${nginxUrl}/docs/page?x=1`);
  assert.equal(location.searchParams.get('app'), wiki.appId);

  // 2. Sign in (the same pipeline as the pages) and come back with the session cookie
  // (on loopback, cookies are shared across ports: one host).
  const token = await signIn(upn, password);
  const cookie = `portcullis_session=${token}`;
  const back = await fetch(location.searchParams.get('return_to'), { headers: { cookie }, redirect: 'manual' });
  assert.equal(back.status, 200, nginxLogs.join(''));
  const seen = await back.json();
  assert.equal(seen.path, '/docs/page?x=1');
  assert.equal(seen.user, upn);
  assert.equal(seen.name, 'Forward Auth');
  assert.equal(seen.jwt.split('.').length, 3);

  // A client cannot smuggle its own identity header past nginx.
  const forged = await fetch(`${nginxUrl}/`, { headers: { cookie, 'remote-user': 'admin@example.test' } });
  assert.equal((await forged.json()).user, upn);

  // 3. Continuous access evaluation: disable the user; the next requests fail within 5 s.
  await server.graph.patch(`/v1.0/users/${user.id}`, { accountEnabled: false });
  const started = Date.now();
  let status;
  while (Date.now() - started < 5_000) {
    status = (await fetch(`${nginxUrl}/`, { headers: { cookie }, redirect: 'manual' })).status;
    if (status === 302) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 302, `still ${status} after ${Date.now() - started} ms`);
  console.log(`disabled user refused after ${Date.now() - started} ms`);
});
