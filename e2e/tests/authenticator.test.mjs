// Portcullis Authenticator end to end: Chromium activates the app from My security info
// and signs in to an application whose policy needs MFA, while the real
// `portcullis-authenticator` answers — through its screen driven in tmux (send-keys,
// capture-pane) and through its scriptable commands: the right number (signed in), the
// wrong number, a denial, a fraud report (user risk high, alert), an expiry; a replayed
// signed answer refused; two devices; a lost device removed; and passwordless sign-in
// (name, number, the app's passphrase typed on its screen), with an unknown name seeing
// the same page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPortcullis, portcullisBin } from '../lib/server.mjs';
import { launchBrowser } from '../lib/browser.mjs';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple 42';
const AUTHENTICATOR =
  process.env.PORTCULLIS_AUTHENTICATOR_BIN ?? portcullisBin().replace(/portcullis$/, 'portcullis-authenticator');

let server;
let browser;
let payroll;
let counter = 0;
const dirs = [];
const userIds = new Map();

before(async () => {
  // Every sign-in and form post of this file comes from 127.0.0.1, faster than the
  // default per-address limits allow on an idle machine (sign-in attempts, and form
  // posts, which include the push page's long polls): raise both, as a site with many
  // users behind one address would (rate limits are not what these tests are about).
  server = await startPortcullis({
    config:
      '[signin]\nrate_limit_per_ip_per_minute = 6000\nrate_limit_per_ip_burst = 1200\n' +
      '[http]\nform_posts_per_ip_per_second = 1000\nform_posts_per_ip_burst = 1000\n',
  });
  browser = await launchBrowser();
  payroll = await server.graph.post('/v1.0/applications', {
    displayName: 'Payroll',
    applicationType: 'forwardAuth',
    settings: { host: 'payroll.localhost', pathPrefix: '/' },
  });
  await server.graph.patch('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', { isEnabled: false });
  // Only Payroll needs MFA, so users sign in to My security info with a password to
  // activate the app first.
  await server.graph.createPolicy({
    displayName: 'MFA for Payroll',
    state: 'enabled',
    conditions: {
      users: { includeUsers: ['All'] },
      applications: { includeApplications: [payroll.appId] },
      clientAppTypes: ['all'],
    },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function appDir() {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-authenticator-'));
  dirs.push(dir);
  return dir;
}

/** Runs `portcullis-authenticator --dir DIR ARGS…`; resolves { code, stdout, stderr }. */
async function app(dir, ...args) {
  try {
    const { stdout, stderr } = await run(AUTHENTICATOR, ['--dir', dir, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

async function newUser(prefix) {
  counter += 1;
  const upn = `${prefix}-${counter}-${Date.now()}@example.test`;
  const created = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  userIds.set(upn, created.id);
  return upn;
}

async function signIn(page, upn, query = '') {
  await page.goto(`${server.url}/signin${query}`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in with the password only and opens My security info; returns the context. */
async function securityInfo(upn) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, upn, '?return_to=%2Fsecurity-info');
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
  await page.getByRole('button', { name: 'No' }).click();
  await page.getByRole('heading', { name: 'Security info' }).waitFor();
  return { context, page };
}

/** Activates the app in a fresh directory from My security info; `rewrite` may change the link. */
async function activate(page, name, rewrite = (link) => link) {
  await page.goto(`${server.url}/security-info`);
  await page.getByRole('button', { name: 'Portcullis Authenticator (push)' }).click();
  await page.getByRole('heading', { name: 'Set up Portcullis Authenticator' }).waitFor();
  assert.ok(await page.locator('.qr svg').count(), 'the QR code is drawn inline');
  const link = await page.locator('[data-activation-link]').inputValue();
  assert.match(link, /\/authenticator\/activate\?code=/);
  const dir = appDir();
  const done = await app(dir, 'activate', rewrite(link), '--name', name);
  assert.equal(done.code, 0, done.stderr);
  return dir;
}

/** A user with the app activated in `devices` directories. */
async function enrolled(prefix, devices = 1) {
  const upn = await newUser(prefix);
  const { context, page } = await securityInfo(upn);
  const appDirs = [];
  for (let i = 0; i < devices; i += 1) appDirs.push(await activate(page, `Device ${i + 1}`));
  await context.close();
  return { upn, dirs: appDirs };
}

/** Signs in to Payroll up to the push: returns { context, page, number }. */
async function pushSignIn(upn) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, upn, `?app=${payroll.appId}&return_to=%2Fsecurity-info`);
  await page.getByRole('button', { name: /Send a request to my Portcullis Authenticator/ }).first().click();
  const number = (await page.locator('[data-push-number]').textContent()).trim();
  assert.match(number, /^\d\d$/);
  return { context, page, number };
}

function otherNumber(number) {
  return number === '99' ? '10' : String(Number(number) + 1);
}

/** The audit entries of `activity` about the user `id`. */
async function audits(activity, id) {
  const page = await server.graph.get('/v1.0/auditLogs/directoryAudits?$top=500');
  return page.value.filter(
    (entry) => entry.activityDisplayName === activity && entry.targetResources?.some((t) => t.id === id),
  );
}

test('the right number typed in the app screen (tmux) signs in', async () => {
  const { upn, dirs: [dir] } = await enrolled('tmux');
  const { context, page, number } = await pushSignIn(upn);
  const session = `portcullis-e2e-${process.pid}-${counter}`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40',
    `${AUTHENTICATOR} --dir ${dir} ui`]);
  try {
    const deadline = Date.now() + 30_000;
    let screen = '';
    while (!screen.includes('Enter the number shown') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    }
    assert.match(screen, /Payroll/, screen);
    assert.doesNotMatch(screen, new RegExp(`\\[ ${number}`), 'the app does not know the number');
    execFileSync('tmux', ['send-keys', '-t', session, ...number.split(''), 'Enter']);
    await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor({ timeout: 30_000 });
  } finally {
    execFileSync('tmux', ['kill-session', '-t', session]);
  }
  await context.close();
});

test('a wrong number and a denial fail the push and offer the challenge again', async () => {
  const wrong = await enrolled('wrong');
  let { context, page, number } = await pushSignIn(wrong.upn);
  const answered = await app(wrong.dirs[0], 'respond', '--approve', '--number', otherNumber(number), '--wait', '10');
  assert.match(answered.stdout, /^wrongNumber/, answered.stderr);
  await page.getByText('did not match the number shown').waitFor({ timeout: 30_000 });
  await context.close();

  const denied = await enrolled('deny');
  ({ context, page } = await pushSignIn(denied.upn));
  const answer = await app(denied.dirs[0], 'respond', '--deny', '--wait', '10');
  assert.match(answer.stdout, /^denied/, answer.stderr);
  await page.getByText('The request was denied in the app.').waitFor({ timeout: 30_000 });
  // The challenge is back: another method may be chosen, nobody is signed in.
  assert.equal((await context.cookies()).find((c) => c.name === 'portcullis_session')?.value, undefined);
  await context.close();
});

test('reporting the push ends the sign-in, is audited and alerts', async () => {
  const { upn, dirs: [dir] } = await enrolled('report');
  const user = { id: userIds.get(upn) };
  const { context, page } = await pushSignIn(upn);
  const answer = await app(dir, 'respond', '--report', '--wait', '10');
  assert.match(answer.stdout, /^reported/, answer.stderr);
  await page.locator('text=500121').first().waitFor({ timeout: 30_000 });
  // The high user-risk detection is written beside this audit entry (the risk engine
  // that feeds it to Conditional Access is not wired into sign-in yet).
  assert.equal((await audits('Fraud reported - user is blocked for MFA', user.id)).length, 1);
  assert.ok(server.logs.join('').includes('user reported a push they did not start'), 'alert logged');
  await context.close();
});

test('a replayed signed answer is refused', async () => {
  // The app talks to the server through a recording proxy, as an attacker on the path would.
  const recorded = [];
  const target = new URL(server.url);
  const proxy = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url.startsWith('/authenticator/respond')) recorded.push(body);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://localhost:${proxy.address().port}`;
  try {
    const upn = await newUser('replay');
    const { context: setup, page: setupPage } = await securityInfo(upn);
    const dir = await activate(setupPage, 'Proxied', (link) => link.replace(server.url, proxyUrl));
    await setup.close();
    const { context, page, number } = await pushSignIn(upn);
    const answer = await app(dir, 'respond', '--approve', '--number', number, '--wait', '10');
    assert.match(answer.stdout, /^approved/, answer.stderr);
    await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor({ timeout: 30_000 });
    assert.equal(recorded.length, 1);
    const replay = await fetch(`${server.url}/authenticator/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: recorded[0],
    });
    assert.equal(replay.status, 409);
    assert.equal((await replay.json()).error.code, 'alreadySettled');
    await context.close();
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});

test('two devices both see the push and either may answer; a removed device cannot', async () => {
  const { upn, dirs: [first, second] } = await enrolled('two', 2);
  let { context, page, number } = await pushSignIn(upn);
  for (const dir of [first, second]) {
    const pending = await app(dir, 'pending');
    assert.equal(pending.code, 0, pending.stderr);
    assert.match(pending.stdout, /Payroll/);
  }
  const answer = await app(second, 'respond', '--approve', '--number', number, '--wait', '10');
  assert.match(answer.stdout, /^approved/, answer.stderr);
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor({ timeout: 30_000 });
  await context.close();

  // The first device is lost: remove it in My security info.
  const { context: manage, page: list } = await securityInfo(upn);
  list.on('dialog', (dialog) => dialog.accept());
  await list.getByRole('button', { name: 'Remove Device 1' }).click();
  await list.getByRole('heading', { name: 'Security info' }).waitFor();
  assert.equal(await list.getByText('Device 1').count(), 0);
  await manage.close();

  ({ context, page, number } = await pushSignIn(upn));
  const refused = await app(first, 'respond', '--approve', '--number', number, '--wait', '3');
  assert.notEqual(refused.code, 0, 'the removed device is refused');
  const kept = await app(second, 'respond', '--approve', '--number', number, '--wait', '10');
  assert.match(kept.stdout, /^approved/, kept.stderr);
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor({ timeout: 30_000 });
  await context.close();
});

test('an unanswered push expires and the page says so', { timeout: 180_000 }, async () => {
  const { upn } = await enrolled('expire');
  const { context, page } = await pushSignIn(upn);
  // The request lives 90 s; the page learns of the expiry from its long poll.
  await page.getByText('Nobody answered the request in time.').waitFor({ timeout: 150_000 });
  await context.close();
});

test('passwordless: the name, the number and the app unlocked with its passphrase (tmux) sign in', async () => {
  const PASSPHRASE = 'tmux local unlock 7';
  const upn = await newUser('passwordless');
  const { context: setup, page: setupPage } = await securityInfo(upn);
  await setupPage.getByRole('button', { name: 'Portcullis Authenticator (push)' }).click();
  const link = await setupPage.locator('[data-activation-link]').inputValue();
  await setup.close();
  const dir = appDir();
  const env = { ...process.env, PORTCULLIS_AUTHENTICATOR_PASSPHRASE: PASSPHRASE };
  const activated = await run(
    AUTHENTICATOR,
    ['--dir', dir, 'activate', link, '--name', 'Phone', '--passphrase', '--phone-sign-in'],
    { timeout: 60_000, env },
  );
  assert.match(activated.stdout, /^activated device/);

  // An unknown name sees the same page and a number too (the request is never sent).
  const nobody = await browser.newContext();
  const nobodyPage = await nobody.newPage();
  await nobodyPage.goto(`${server.url}/signin`);
  await nobodyPage.getByLabel('Email or username').fill(`nobody-${Date.now()}@example.test`);
  await nobodyPage.getByRole('button', { name: 'Next' }).click();
  await nobodyPage.getByRole('button', { name: /Approve a request in Portcullis Authenticator/ }).click();
  await nobodyPage.getByRole('heading', { name: 'Approve the sign-in request' }).waitFor();
  assert.match((await nobodyPage.locator('[data-push-number]').textContent()).trim(), /^\d\d$/);
  await nobody.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  // Payroll needs MFA: the passwordless sign-in meets it on its own.
  await page.goto(`${server.url}/signin?app=${payroll.appId}&return_to=%2Fsecurity-info`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: /Approve a request in Portcullis Authenticator/ }).click();
  const number = (await page.locator('[data-push-number]').textContent()).trim();
  assert.match(number, /^\d\d$/);

  const session = `portcullis-e2e-pl-${process.pid}`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40',
    `env PORTCULLIS_AUTHENTICATOR_PASSPHRASE='${PASSPHRASE}' ${AUTHENTICATOR} --dir ${dir} ui`]);
  const screenWith = async (text) => {
    const deadline = Date.now() + 30_000;
    let screen = '';
    while (!screen.includes(text) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    }
    assert.ok(screen.includes(text), screen);
    return screen;
  };
  try {
    const shown = await screenWith('passwordless sign-in');
    assert.match(shown, /Payroll/, shown);
    execFileSync('tmux', ['send-keys', '-t', session, ...number.split(''), 'Enter']);
    await screenWith('type your passphrase');
    execFileSync('tmux', ['send-keys', '-t', session, '-l', PASSPHRASE]);
    const masked = await screenWith('Passphrase: ***');
    assert.ok(!masked.includes(PASSPHRASE), 'the passphrase is never drawn');
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor({ timeout: 30_000 });
  } finally {
    execFileSync('tmux', ['kill-session', '-t', session]);
  }
  const signIns = await server.graph.get('/v1.0/auditLogs/signIns?$top=100');
  const entry = signIns.value.find(
    (s) => s.userPrincipalName === upn && s.status.errorCode === 0 && s.appId === payroll.appId,
  );
  assert.ok(entry, 'the passwordless sign-in is logged');
  assert.equal(entry.authenticationDetails[0].authenticationMethod, 'Passwordless phone sign-in');
  assert.equal(entry.authenticationDetails[0].succeeded, true);
  await context.close();
});
