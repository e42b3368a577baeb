// The admin portal end to end: an administrator signs in through /signin, creates a
// Conditional Access policy in report-only for a pilot group, a pilot user signs in, the
// impact view shows the challenge that would have happened, the admin turns the policy
// on and the next sign-in is challenged; What If; sign-in log filtering; screenshots of
// the key pages into docs/screenshots/; security defaults turned off through the portal
// before a policy can be enforced; a Helpdesk Administrator helps a user (revoke
// sessions, Temporary Access Pass) but can neither see nor change policies; named
// locations, an OIDC client whose secret is shown once (and works at the introspection
// endpoint), and a break-glass account with its last sign-in; user risk confirmed from
// the user's page and the sign-in log filtered by the risk that produced.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, screenshot } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

let server;
let browser;
let admin;
let adminPage;
let pilotGroup;
let worker;

async function signIn(page, upn) {
  await page.goto(`${server.url}/signin?return_to=%2Fadmin`);
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Waits for `url`; on a timeout the error says which page the browser is on instead. */
async function expectUrl(page, url) {
  try {
    await page.waitForURL(url, { timeout: 10_000 });
  } catch (error) {
    const main = await page.locator('main').textContent().catch(() => '(no main)');
    throw new Error(`expected ${url}, on ${page.url()}: ${main.replace(/\s+/g, ' ').trim()}`, { cause: error });
  }
}

/** Signs a pilot user in with a password and says what came next (the heading). */
async function workerSignIn() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, worker.userPrincipalName);
  const heading = await page.getByRole('heading', { level: 1 }).first().textContent();
  await context.close();
  return heading.trim();
}

before(async () => {
  server = await startPortcullis();
  browser = await launchBrowser();
  const stamp = Date.now();
  admin = await server.graph.createUser({ userPrincipalName: `portal-admin-${stamp}@example.test`, password: PASSWORD });
  await server.graph.post(`/v1.0/directoryRoles/${GLOBAL_ADMINISTRATOR}/members/$ref`, {
    '@odata.id': `${server.url}/v1.0/directoryObjects/${admin.id}`,
  });
  worker = await server.graph.createUser({ userPrincipalName: `pilot-${stamp}@example.test`, password: PASSWORD });
  pilotGroup = await server.graph.post('/v1.0/groups', {
    displayName: 'MFA pilot', mailEnabled: false, mailNickname: `pilot${stamp}`, securityEnabled: true,
  });
  await server.graph.post(`/v1.0/groups/${pilotGroup.id}/members/$ref`, {
    '@odata.id': `${server.url}/v1.0/directoryObjects/${worker.id}`,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  adminPage = await context.newPage();
  await signIn(adminPage, admin.userPrincipalName);
  // Either straight to the portal or through "Stay signed in?".
  const stay = adminPage.getByRole('button', { name: 'No' });
  if (await stay.isVisible().catch(() => false)) await stay.click();
  await adminPage.waitForURL(`${server.url}/admin`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('report-only first, impact, then enforce: the next sign-in is challenged', async () => {
  const page = adminPage;
  await page.goto(`${server.url}/admin/policies/new`);
  await page.getByLabel('Name', { exact: true }).fill('Pilot MFA');
  await page.getByLabel('Include groups').fill(pilotGroup.id);
  await page.getByLabel(/Include applications/).fill('All');
  await page.getByLabel('Require multifactor authentication').check();
  await screenshot(page, 'portal-policy-form');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.').waitFor();
  const policyUrl = page.url().replace(/\?.*$/, '');

  // Report-only: the pilot user still gets in on a password alone.
  const first = await workerSignIn();
  assert.doesNotMatch(first, /verify|security info|more information/i, `report-only must not challenge (${first})`);

  await page.goto(`${policyUrl}/impact?days=1`);
  const acted = page.locator('#acted');
  await acted.waitFor();
  assert.match(await acted.textContent(), new RegExp(worker.userPrincipalName));
  assert.match(await acted.textContent(), /would have challenged/);
  await screenshot(page, 'portal-policy-impact');

  await page.goto(`${server.url}/admin`);
  await screenshot(page, 'portal-overview');

  // Turn it on: the confirmation shows the report-only impact first, and that a fresh
  // installation's security defaults must go before any policy can be enforced.
  await page.goto(`${server.url}/admin/policies`);
  await page.getByLabel('State of Pilot MFA').selectOption('enabled');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('heading', { name: /Turn on/ }).waitFor();
  await page.locator('#security-defaults-warning').getByRole('link', { name: 'Turn security defaults off' }).click();
  await page.getByRole('heading', { name: 'Security defaults or Conditional Access, not both' }).waitFor();
  assert.equal(await page.locator('#security-defaults-state').textContent(), 'Yes');
  await screenshot(page, 'portal-security-defaults');
  await page.getByRole('button', { name: 'Turn security defaults off' }).click();
  await page.getByText('Saved.').waitFor();
  assert.equal(await page.locator('#security-defaults-state').textContent(), 'No');

  await page.goto(`${server.url}/admin/policies`);
  await page.getByLabel('State of Pilot MFA').selectOption('enabled');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('heading', { name: /Turn on/ }).waitFor();
  assert.equal(await page.locator('#security-defaults-warning').count(), 0);
  assert.match(await page.locator('.impact-summary').textContent(), /1\s+sign-ins would have been challenged/);
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expectUrl(page, `${server.url}/admin/policies`);
  assert.match(await page.locator('table').textContent(), /On/);
  await screenshot(page, 'portal-policies');

  const second = await workerSignIn();
  assert.notEqual(second, first, 'the enforced policy interrupts the sign-in');

  // The log shows the interrupted sign-in; filtering by user and status finds it.
  await page.goto(`${server.url}/admin/sign-ins`);
  await page.getByLabel('User principal name').fill(worker.userPrincipalName);
  await page.getByLabel('Status').selectOption('failure');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const rows = page.locator('#sign-ins tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1, 'only the challenged sign-in is not a success');
  assert.match(await rows.first().textContent(), /5007[24]/);
  await screenshot(page, 'portal-sign-ins');
  await rows.first().getByRole('link').click();
  await page.getByRole('heading', { name: 'Conditional Access', exact: true }).waitFor();
  assert.match(await page.locator('#ca').textContent(), /Pilot MFA/);
  await screenshot(page, 'portal-sign-in-detail');
});

test('What If lists every policy with whether it applies', async () => {
  const page = adminPage;
  await page.goto(`${server.url}/admin/what-if`);
  await page.getByLabel(/^User \(/).fill(worker.userPrincipalName);
  await page.getByLabel(/^Application \(/).fill('00000000-0000-0000-0000-000000000001');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const results = page.locator('#what-if-results');
  await results.waitFor();
  const table = (await results.textContent()).replace(/\s+/g, ' ');
  const row = results.locator('tr', { hasText: 'Pilot MFA' });
  assert.equal(await row.count(), 1, `one row for Pilot MFA in: ${table}`);
  assert.match(await row.textContent(), /Yes/);
  await screenshot(page, 'portal-what-if');

  await page.getByLabel(/^User \(/).fill(admin.userPrincipalName);
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await results.waitFor();
  assert.match(await results.locator('tr', { hasText: 'Pilot MFA' }).textContent(), /No/, 'admin is not in the pilot group');
});

test('a Helpdesk Administrator helps users but cannot see or change policies', async () => {
  const stamp = Date.now();
  const helpdesk = await server.graph.createUser({ userPrincipalName: `helpdesk-${stamp}@example.test`, password: PASSWORD });
  await server.graph.post(`/v1.0/directoryRoles/${HELPDESK_ADMINISTRATOR}/members/$ref`, {
    '@odata.id': `${server.url}/v1.0/directoryObjects/${helpdesk.id}`,
  });
  const policy = (await server.graph.get('/v1.0/identity/conditionalAccess/policies')).value
    .find((p) => p.displayName === 'Pilot MFA');
  assert.ok(policy, 'the first test created Pilot MFA');

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, helpdesk.userPrincipalName);
  const stay = page.getByRole('button', { name: 'No' });
  if (await stay.isVisible().catch(() => false)) await stay.click();
  await page.waitForURL(`${server.url}/admin`);

  // The navigation offers what the role may do, and not Conditional Access.
  const nav = page.getByRole('navigation');
  assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 1);
  assert.equal(await nav.getByRole('link', { name: 'Conditional Access' }).count(), 0);

  // Opening the policy directly is refused.
  const opened = await page.goto(`${server.url}/admin/policies/${policy.id}`);
  assert.equal(opened.status(), 403);
  await page.getByRole('heading', { name: "You don't have access" }).waitFor();

  // A forged state change with a valid CSRF token is refused by the service too.
  const csrf = (await context.cookies()).find((c) => c.name === 'portcullis_csrf');
  assert.ok(csrf, 'the portal set its CSRF cookie');
  const forged = await page.request.post(`${server.url}/admin/policies/${policy.id}/state`, {
    form: { csrf_token: csrf.value, state: 'disabled', confirm: 'yes' },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  const after = await server.graph.get(`/v1.0/identity/conditionalAccess/policies/${policy.id}`);
  assert.equal(after.state, policy.state, 'the policy is unchanged');

  // The user page offers the helpdesk actions on a non-admin.
  await page.goto(`${server.url}/admin/users/${worker.id}`);
  await page.getByRole('button', { name: 'Issue Temporary Access Pass' }).waitFor();
  await screenshot(page, 'portal-user-helpdesk');
  await page.getByRole('button', { name: 'Revoke sessions' }).click();
  await page.getByText('Every session and refresh token of this user has been revoked.').waitFor();

  // A Temporary Access Pass is shown once.
  await page.getByLabel('Pass lifetime in minutes').fill('120');
  await page.getByRole('button', { name: 'Issue Temporary Access Pass' }).click();
  const pass = (await page.locator('#temporary-access-pass').textContent()).trim();
  assert.ok(pass.length >= 8, `a pass is shown (${pass})`);

  // But not on an administrator: the Global Administrator's page offers no actions.
  await page.goto(`${server.url}/admin/users/${admin.id}`);
  await page.getByRole('heading', { name: 'Authentication methods' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Revoke sessions' }).count(), 0);
  await context.close();
});

test('named locations, an OIDC client with its secret shown once, a break-glass account', async () => {
  const page = adminPage;
  const stamp = Date.now();

  // A trusted IP location, created through the form, is what the Graph API lists.
  await page.goto(`${server.url}/admin/named-locations`);
  await page.getByRole('link', { name: 'New IP ranges location' }).click();
  await page.getByLabel('Name').fill(`Head office ${stamp}`);
  await page.getByLabel('IP ranges (CIDR, one per line)').fill('203.0.113.0/24\n2001:db8::/48');
  await page.getByLabel('Mark as trusted location').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  const locations = (await server.graph.get('/v1.0/identity/conditionalAccess/namedLocations')).value;
  const office = locations.find((l) => l.displayName === `Head office ${stamp}`);
  assert.ok(office, 'the location is stored');
  assert.equal(office.isTrusted, true);
  assert.deepEqual(office.ipRanges.map((r) => r.cidrAddress), ['203.0.113.0/24', '2001:db8::/48']);
  await page.goto(`${server.url}/admin/named-locations`);
  await page.getByRole('link', { name: `Head office ${stamp}` }).waitFor();
  await screenshot(page, 'portal-named-locations');

  // An OIDC client: its secret is shown once, and it authenticates the client.
  await page.goto(`${server.url}/admin/applications`);
  await page.getByRole('link', { name: 'New OpenID Connect client' }).click();
  await page.getByLabel('Name').fill(`Wiki ${stamp}`);
  await page.getByLabel('Redirect URIs (one per line)').fill('https://wiki.example.test/oidc/callback');
  await page.getByRole('button', { name: 'Save' }).click();
  const secret = (await page.locator('#client-secret').textContent()).trim();
  const clientId = (await page.locator('#client-id').textContent()).trim();
  await screenshot(page, 'portal-application-secret');
  const introspect = (password) => fetch(`${server.url}/oauth2/introspect`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(password)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'token=not-a-token',
  });
  assert.equal((await introspect(secret)).status, 200, 'the shown secret authenticates the client');
  assert.equal((await introspect(`${secret}x`)).status, 401, 'another one does not');
  await page.getByRole('link', { name: 'Done' }).click();
  await page.getByRole('heading', { name: 'Client secrets' }).waitFor();
  assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');

  // The admin is marked break-glass; the page shows their last sign-in (this session's).
  await page.goto(`${server.url}/admin/break-glass`);
  await page.getByLabel('User principal name or object ID').fill(admin.userPrincipalName);
  await page.getByRole('button', { name: 'Mark as break-glass account' }).click();
  await page.getByText('The account is now a break-glass account.').waitFor();
  const row = page.locator('tr', { hasText: admin.userPrincipalName });
  const cells = (await row.textContent()).replace(/\s+/g, ' ');
  assert.doesNotMatch(cells, /Never/, `a sign-in is listed: ${cells}`);
  assert.match(cells, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC.*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await page.locator('#break-glass-warnings').getByText('only one break-glass account').waitFor();
  await screenshot(page, 'portal-break-glass');
  const audit = await server.graph.get("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Add break-glass account'");
  assert.equal(audit.value.length, 1, 'the mark is audited');
});

test('user risk on the user page, and the sign-in log filtered by risk', async () => {
  const page = adminPage;
  const stamp = Date.now();
  const risky = await server.graph.createUser({ userPrincipalName: `risky-${stamp}@example.test`, password: PASSWORD });

  // Confirm compromised from the user's page: user risk becomes high.
  await page.goto(`${server.url}/admin/users/${risky.id}`);
  const panel = page.locator('#user-risk');
  await panel.waitFor();
  assert.match(await panel.textContent(), /Never had a detection/);
  await panel.getByRole('button', { name: 'Confirm user compromised' }).click();
  await page.getByText('The user was confirmed compromised').waitFor();
  assert.match(await panel.locator('[data-risk]').textContent(), /high/);
  assert.match(await page.locator('#risk-detections').textContent(), /adminConfirmedUserCompromised/);
  await screenshot(page, 'portal-user-risk');

  // Their next sign-in is logged with the high user risk it was judged on.
  const context = await browser.newContext();
  await signIn(await context.newPage(), risky.userPrincipalName);
  await context.close();

  await page.goto(`${server.url}/admin/sign-ins`);
  await page.getByLabel('Aggregated risk').selectOption('high');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const rows = page.locator('#sign-ins tbody tr');
  await rows.first().waitFor();
  const users = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[1].textContent));
  assert.ok(users.includes(risky.userPrincipalName), `the risky sign-in is listed: ${users}`);
  assert.ok(users.every((u) => u === risky.userPrincipalName), `only risky sign-ins: ${users}`);
  assert.equal(new URL(page.url()).searchParams.get('riskAggregated'), 'high', 'the filter is a shareable link');
  await screenshot(page, 'portal-sign-ins-risk');

  // Nobody signed in with a high sign-in risk here.
  await page.getByLabel('Aggregated risk').selectOption('');
  await page.getByLabel('Sign-in risk').selectOption('high');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('#no-sign-ins').waitFor();
});
