// The admin portal end to end: an administrator signs in through /signin, creates a
// Conditional Access policy in report-only for a pilot group, a pilot user signs in, the
// impact view shows the challenge that would have happened, the admin turns the policy
// on and the next sign-in is challenged; What If; sign-in log filtering; screenshots of
// the key pages into docs/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, screenshot } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

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
  await page.getByLabel('Name').fill('Pilot MFA');
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

  // Turn it on: the confirmation shows the report-only impact first.
  await page.goto(`${server.url}/admin/policies`);
  await page.getByLabel('State of Pilot MFA').selectOption('enabled');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('heading', { name: /Turn on/ }).waitFor();
  assert.match(await page.locator('.impact-summary').textContent(), /1\s+sign-ins would have been challenged/);
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.waitForURL(`${server.url}/admin/policies`);
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
  await page.getByLabel(/^User/).fill(worker.userPrincipalName);
  await page.getByLabel(/^Application/).fill('00000000-0000-0000-0000-000000000001');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const results = page.locator('#what-if-results');
  await results.waitFor();
  const row = results.locator('tr', { hasText: 'Pilot MFA' });
  assert.match(await row.textContent(), /Yes/);
  await screenshot(page, 'portal-what-if');

  await page.getByLabel(/^User/).fill(admin.userPrincipalName);
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await results.waitFor();
  assert.match(await results.locator('tr', { hasText: 'Pilot MFA' }).textContent(), /No/, 'admin is not in the pilot group');
});
