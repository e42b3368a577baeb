// The harness itself: a real server starts, the automation client reaches the Graph API,
// Chromium loads a page from it, and the virtual authenticator attaches. If this fails,
// every other end-to-end test would fail for the same reason; this says which part broke.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortcullis } from '../lib/server.mjs';
import { launchBrowser, addVirtualAuthenticator } from '../lib/browser.mjs';
import { totp, parseOtpauth } from '../lib/otp.mjs';

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

test('the automation client creates and reads a user through the Graph API', async () => {
  const created = await server.graph.createUser({
    userPrincipalName: 'harness@example.test',
    password: 'correct horse battery staple 42',
  });
  const read = await server.graph.get(`/v1.0/users/${created.id}`);
  assert.equal(read.userPrincipalName, 'harness@example.test');
  await assert.rejects(server.graph.get('/v1.0/users/00000000-0000-0000-0000-000000000000'), (e) => e.status === 404);
});

test('Chromium reaches the server and the virtual authenticator attaches', async () => {
  const page = await browser.newPage();
  const res = await page.goto(`${server.url}/healthz`);
  assert.equal(res.status(), 200);
  const auth = await addVirtualAuthenticator(page);
  assert.ok(auth.authenticatorId);
  const secure = await page.evaluate(() => window.isSecureContext && typeof PublicKeyCredential);
  assert.equal(secure, 'function');
  await page.close();
});

test('oathtool gives RFC 6238 codes (SHA-1 vector at 59 s)', () => {
  // RFC 6238 appendix B: secret "12345678901234567890", T=59 → 94287082 (8 digits).
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, { at: new Date(59_000), digits: 8 }), '94287082');
  const parsed = parseOtpauth(`otpauth://totp/Portcullis:a%40b.test?secret=${secret}&issuer=Portcullis&digits=8`);
  assert.equal(parsed.account, 'a@b.test');
  assert.equal(parsed.digits, 8);
});
