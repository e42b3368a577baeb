// The OpenID Connect provider driven by a certified relying-party library, npm
// `openid-client` 6 (oauth4webapi underneath), against a real `portcullis serve`, with
// the user signing in through the real sign-in pages in headless Chromium:
// discovery, authorization code + PKCE, refresh with rotation, userinfo, introspection
// and revocation, client credentials, private_key_jwt and the device authorization
// grant with its user-code page; and the negatives the protocol demands (wrong redirect
// URI, reused code, PKCE mismatch, expired code, reused refresh token, `alg: none` and
// algorithm confusion, a token for another audience).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import * as oidc from 'openid-client';
import { startPortcullis, freePort } from '../lib/server.mjs';
import { launchBrowser } from '../lib/browser.mjs';

const PASSWORD = 'correct horse battery staple 42';
// The server's authorization code lifetime (portcullis_oidc::CODE_LIFETIME_SECS).
const CODE_LIFETIME_MS = 60_000;

let server;
let browser;
let rp;
let redirectUri;
let counter = 0;
// A code obtained early and redeemed last, once the server's lifetime has passed.
let staleCode;

/** The relying party's callback: a loopback page that only says it was reached. */
async function startRelyingParty() {
  const app = createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!DOCTYPE html><title>callback</title><p>back at the application</p>');
  });
  const port = await freePort();
  await new Promise((resolve) => app.listen(port, '127.0.0.1', resolve));
  return { app, port };
}

before(async () => {
  server = await startPortcullis();
  browser = await launchBrowser();
  rp = await startRelyingParty();
  redirectUri = `http://127.0.0.1:${rp.port}/callback`;
});

after(async () => {
  await browser?.close();
  rp?.app.close();
  await server?.stop();
});

function unique(prefix) {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}`;
}

async function newUser(prefix) {
  const upn = `${unique(prefix)}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD, displayName: prefix, mail: upn });
  return user;
}

/** Registers an OIDC client through the Graph API; returns { app, clientId, clientSecret }. */
async function registerClient(settings, { secret = true } = {}) {
  const app = await server.graph.post('/v1.0/applications', {
    displayName: unique('rp'),
    applicationType: 'oidcClient',
    web: { redirectUris: [redirectUri] },
    settings,
  });
  if (!secret) return { app, clientId: app.appId };
  const password = await server.graph.post(`/v1.0/applications/${app.id}/addPassword`, {
    passwordCredential: { displayName: 'e2e' },
  });
  return { app, clientId: app.appId, clientSecret: password.secretText };
}

async function discover({ clientId, clientSecret }, auth) {
  const clientAuth = auth ?? (clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None());
  return oidc.discovery(new URL(server.url), clientId, { id_token_signed_response_alg: 'ES256' }, clientAuth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** An authorization request with PKCE, state and nonce. */
async function authorizationRequest(config, extra = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Types the user's name and password on the sign-in pages, declining "stay signed in?". */
async function signInOnPages(page, upn) {
  await page.waitForURL((u) => u.pathname === '/signin');
  await page.getByLabel('Email or username').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const stay = page.getByRole('heading', { name: 'Stay signed in?' });
  const callback = page.waitForURL((u) => u.href.startsWith(redirectUri) || u.pathname === '/device');
  // "Stay signed in?" appears only when no policy decided persistence.
  await Promise.race([stay.waitFor(), callback]);
  if (await stay.isVisible()) await page.getByRole('button', { name: 'No' }).click();
}

/** Browses to the authorization URL in a fresh context, signs in, returns the callback URL. */
async function authorizeInBrowser(url, upn, context) {
  const ctx = context ?? (await browser.newContext());
  const page = await ctx.newPage();
  await page.goto(url.href);
  if (new URL(page.url()).pathname === '/signin') await signInOnPages(page, upn);
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  const callback = new URL(page.url());
  await page.close();
  return { callback, context: ctx };
}

/** Replaces a JWT's signature (and header) with a forgery. */
function forgeAlgNone(jwt) {
  const [, payload] = jwt.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${payload}.`;
}

/** HS256 keyed with the provider's public key: the classic algorithm confusion. */
function forgeHmacWithPublicKey(jwt, publicKeyText) {
  const [, payload] = jwt.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const signature = createHmac('sha256', publicKeyText).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

async function userinfoStatus(accessToken) {
  const res = await fetch(`${server.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '' };
}

test('discovery is accepted by openid-client and names every endpoint', async () => {
  // Obtained now, redeemed by the last test of this file once the code has expired.
  const user = await newUser('stale');
  const client = await registerClient({ grantTypes: ['authorization_code'] });
  const config = await discover(client);
  const request = await authorizationRequest(config, { scope: 'openid' });
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  await context.close();
  staleCode = { config, callback, request, issuedAt: Date.now() };

  const meta = config.serverMetadata();
  assert.equal(meta.issuer, server.url);
  assert.equal(meta.authorization_endpoint, `${server.url}/oauth2/authorize`);
  assert.equal(meta.token_endpoint, `${server.url}/oauth2/token`);
  assert.equal(meta.userinfo_endpoint, `${server.url}/oauth2/userinfo`);
  assert.equal(meta.device_authorization_endpoint, `${server.url}/oauth2/device_authorization`);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.equal(meta.id_token_signing_alg_values_supported[0], 'ES256');
  assert.ok(!meta.id_token_signing_alg_values_supported.includes('none'));
  const jwks = await (await fetch(meta.jwks_uri)).json();
  assert.ok(jwks.keys.some((k) => k.kty === 'EC' && k.alg === 'ES256'));
  assert.ok(jwks.keys.every((k) => k.d === undefined), 'no private key material in the JWKS');
});

test('code + PKCE through the sign-in pages, then userinfo, refresh rotation, introspection, revocation', async () => {
  const user = await newUser('code');
  const client = await registerClient({ grantTypes: ['authorization_code', 'refresh_token'] });
  const config = await discover(client);
  const request = await authorizationRequest(config);
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  assert.equal(callback.searchParams.get('iss'), server.url, 'RFC 9207 issuer in the response');
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.sub, user.id);
  assert.equal(claims.aud, client.clientId);
  assert.ok(claims.auth_time > 0 && claims.sid, JSON.stringify(claims));
  assert.ok(claims.amr.includes('pwd'), JSON.stringify(claims));
  assert.equal(claims.email, user.userPrincipalName);

  const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
  assert.equal(info.preferred_username, user.userPrincipalName);

  // SSO: a second authorization in the same browser needs no sign-in.
  const again = await authorizationRequest(config, { scope: 'openid' });
  const second = await authorizeInBrowser(again.url, user.userPrincipalName, context);
  assert.ok(second.callback.searchParams.get('code'));
  await context.close();

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
  assert.equal(refreshed.claims().sub, user.id);
  const next = await oidc.refreshTokenGrant(config, refreshed.refresh_token);

  const active = await oidc.tokenIntrospection(config, next.access_token);
  assert.equal(active.active, true);
  assert.equal(active.sub, user.id);
  assert.equal(active.client_id, client.clientId);
  await oidc.tokenRevocation(config, next.access_token);
  assert.equal((await oidc.tokenIntrospection(config, next.access_token)).active, false);
  assert.equal((await userinfoStatus(next.access_token)).status, 401);
});

test('a reused refresh token is refused and revokes its whole family', async () => {
  const user = await newUser('reuse');
  const client = await registerClient({ grantTypes: ['authorization_code', 'refresh_token'] });
  const config = await discover(client);
  const request = await authorizationRequest(config);
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  await context.close();
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  // The spent token comes back (stolen and replayed): refused…
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  // …and the legitimate holder's newer token dies with the family.
  await assert.rejects(oidc.refreshTokenGrant(config, rotated.refresh_token), (e) => e.error === 'invalid_grant');
});

test('a reused code is refused and revokes the tokens it issued', async () => {
  const user = await newUser('code-reuse');
  const client = await registerClient({ grantTypes: ['authorization_code', 'refresh_token'] });
  const config = await discover(client);
  const request = await authorizationRequest(config);
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  await context.close();
  const checks = { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce };
  const tokens = await oidc.authorizationCodeGrant(config, callback, checks);
  assert.equal((await userinfoStatus(tokens.access_token)).status, 200);
  await assert.rejects(oidc.authorizationCodeGrant(config, callback, checks), (e) => e.error === 'invalid_grant');
  const after = await userinfoStatus(tokens.access_token);
  assert.equal(after.status, 401);
  assert.match(after.challenge, /invalid_token/);
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
});

test('a wrong redirect URI gets an error page and is never redirected to', async () => {
  const client = await registerClient({ grantTypes: ['authorization_code'] });
  const config = await discover(client);
  for (const wrong of [`${redirectUri}/extra`, `http://127.0.0.1:${rp.port}/callback?x=1`, 'https://evil.example/callback']) {
    const { url } = await authorizationRequest(config, { redirect_uri: wrong });
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(url.href);
    assert.equal(response.status(), 400, wrong);
    assert.equal(new URL(page.url()).origin, server.url, 'stayed on the provider');
    assert.match(await page.locator('h1').textContent(), /not valid/);
    await context.close();
  }
});

test('a PKCE verifier that does not match the challenge is refused', async () => {
  const user = await newUser('pkce');
  const client = await registerClient({ publicClient: true }, { secret: false });
  const config = await discover(client);
  const request = await authorizationRequest(config);
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  await context.close();
  await assert.rejects(
    oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
      expectedState: request.state,
      expectedNonce: request.nonce,
    }),
    (e) => e.error === 'invalid_grant',
  );

  // A public client without PKCE is refused at authorize, back at the client.
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state: 's' });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 303);
  const location = new URL(res.headers.get('location'));
  assert.equal(location.searchParams.get('error'), 'invalid_request');
  assert.equal(location.searchParams.get('code'), null);
});

test('forged tokens (alg none, HMAC keyed with our public key) and foreign audiences are refused', async () => {
  const user = await newUser('forge');
  const client = await registerClient({ grantTypes: ['authorization_code'] });
  const other = await registerClient({ grantTypes: ['authorization_code'] });
  const config = await discover(client);
  const request = await authorizationRequest(config, { scope: 'openid profile' });
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
  const publicKeys = [JSON.stringify(jwks.keys[0]), JSON.stringify(jwks)];
  const forgeries = [forgeAlgNone(tokens.access_token), ...publicKeys.map((k) => forgeHmacWithPublicKey(tokens.access_token, k))];
  for (const forged of forgeries) {
    const { status, challenge } = await userinfoStatus(forged);
    assert.equal(status, 401, `accepted ${forged.split('.')[0]}`);
    assert.match(challenge, /invalid_token/);
  }

  // A user's access token for an application is no admin API token, and the admin API's
  // token is no userinfo token.
  const graph = await fetch(`${server.url}/v1.0/users`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(graph.status, 401);
  const admin = await oidc.clientCredentialsGrant(await discover(server.bootstrap.automation));
  assert.equal((await userinfoStatus(admin.access_token)).status, 401);
  // Another client cannot introspect this client's token.
  const otherConfig = await discover(other);
  assert.equal((await oidc.tokenIntrospection(otherConfig, tokens.access_token)).active, false);

  // A forged id_token_hint goes back to the client as an error, never as a code.
  for (const forged of [forgeAlgNone(tokens.id_token), forgeHmacWithPublicKey(tokens.id_token, publicKeys[0])]) {
    const hinted = await authorizationRequest(config, { id_token_hint: forged, scope: 'openid' });
    const page = await context.newPage();
    await page.goto(hinted.url.href);
    await page.waitForURL((u) => u.href.startsWith(redirectUri));
    const location = new URL(page.url());
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('code'), null);
    await page.close();
  }
  await context.close();
});

test('private_key_jwt through openid-client; alg none and HMAC assertions are refused', async () => {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const jwk = { ...(await crypto.subtle.exportKey('jwk', keys.publicKey)), kid: 'e2e-key', alg: 'ES256', use: 'sig' };
  delete jwk.key_ops;
  delete jwk.ext;
  const client = await registerClient(
    { tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } },
    { secret: false },
  );
  const user = await newUser('pkjwt');
  const config = await discover(client, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: 'e2e-key' }));
  const request = await authorizationRequest(config, { scope: 'openid' });
  const { callback, context } = await authorizeInBrowser(request.url, user.userPrincipalName);
  const tokens = await oidc
    .authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    })
    .catch((e) => {
      throw new Error(`${e.message}: ${e.error} ${e.error_description}`);
    });
  assert.equal(tokens.claims().sub, user.id);

  // Forged assertions, sent by hand (openid-client would never build them).
  const now = Math.floor(Date.now() / 1000);
  const body = (assertion) =>
    new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'irrelevant',
      redirect_uri: redirectUri,
      client_id: client.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
  const claims = Buffer.from(
    JSON.stringify({ iss: client.clientId, sub: client.clientId, aud: `${server.url}/oauth2/token`, iat: now, exp: now + 60, jti: unique('jti') }),
  ).toString('base64url');
  const unsigned = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${claims}.x`;
  for (const forged of [forgeAlgNone(unsigned), forgeHmacWithPublicKey(unsigned, JSON.stringify(jwk))]) {
    const res = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body(forged),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'invalid_client');
  }
  await context.close();
});

test('client credentials through openid-client give a token the Graph API accepts', async () => {
  const config = await discover(server.bootstrap.automation);
  const tokens = await oidc.clientCredentialsGrant(config);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.expires_in > 0);
  const res = await fetch(`${server.url}/v1.0/users`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(res.status, 200);
  // A wrong secret is an invalid client (401 with a Basic challenge, RFC 6749 §5.2).
  const wrong = await discover({ clientId: server.bootstrap.automation.clientId, clientSecret: 'not-the-secret' });
  await assert.rejects(
    oidc.clientCredentialsGrant(wrong),
    (e) => e instanceof oidc.WWWAuthenticateChallengeError && e.status === 401 && e.cause[0].scheme === 'basic',
  );
});

test('device authorization grant: the device polls while the user signs in and approves on /device', async () => {
  const user = await newUser('device');
  const client = await registerClient({ publicClient: true }, { secret: false });
  const config = await discover(client);
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
  assert.equal(device.verification_uri, `${server.url}/device`);
  assert.match(device.user_code, /^[A-Z0-9-]+$/);
  const controller = new AbortController();
  const polling = oidc.pollDeviceAuthorizationGrant(config, device, undefined, { signal: controller.signal });

  // The user, on another device, opens the page and types the code.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(device.verification_uri);
  await signInOnPages(page, user.userPrincipalName);
  await page.waitForURL((u) => u.pathname === '/device');
  await page.getByLabel('Code').fill(device.user_code);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Sign in on your device?' }).waitFor();
  assert.match(await page.locator('main').textContent(), new RegExp(device.user_code));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /signed in on your device/ }).waitFor();
  await context.close();

  const tokens = await polling;
  assert.equal(tokens.claims().sub, user.id);
  assert.ok(tokens.refresh_token);
  const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
  assert.equal(info.preferred_username, user.userPrincipalName);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.equal(refreshed.claims().sub, user.id);

  // The user code is spent: typing it again is refused.
  const again = await browser.newContext();
  const late = await again.newPage();
  await late.goto(`${server.url}/device?user_code=${encodeURIComponent(device.user_code)}`);
  await signInOnPages(late, user.userPrincipalName);
  await late.waitForURL((u) => u.pathname === '/device');
  await late.getByRole('alert').waitFor();
  await again.close();
});

test('an expired code is refused', async () => {
  assert.ok(staleCode, 'the first test obtained a code');
  // The code was issued in the first test; wait out whatever is left of its lifetime.
  const left = staleCode.issuedAt + CODE_LIFETIME_MS + 1_000 - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  const { config, callback, request } = staleCode;
  await assert.rejects(
    oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    }),
    (e) => e.error === 'invalid_grant' && /expired/.test(e.error_description),
  );
});
