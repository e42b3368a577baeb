// The OpenID Connect provider driven by a certified relying-party library, npm
// `openid-client` 6 (oauth4webapi underneath): discovery, authorization code + PKCE,
// refresh, userinfo, introspection and revocation, client credentials and the device
// authorization grant, against a real `portcullis serve`. The user signs in through the
// JSON sign-in API; the session cookie it sets is what the browser would carry.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startPortcullis } from '../lib/server.mjs';

const REDIRECT = 'https://rp.example/callback';
const PASSWORD = 'Correct-Horse-Battery-42!';

let server;

before(async () => {
  server = await startPortcullis();
});

after(async () => {
  await server?.stop();
});

/** Registers an OIDC client through the Graph API; returns { clientId, clientSecret }. */
async function registerClient(settings, { secret = true } = {}) {
  const app = await server.graph.post('/v1.0/applications', {
    displayName: `rp-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    applicationType: 'oidcClient',
    web: { redirectUris: [REDIRECT] },
    settings,
  });
  if (!secret) return { clientId: app.appId };
  const password = await server.graph.post(`/v1.0/applications/${app.id}/addPassword`, {
    passwordCredential: { displayName: 'e2e' },
  });
  return { clientId: app.appId, clientSecret: password.secretText };
}

async function discover({ clientId, clientSecret }, metadata = {}) {
  const auth = clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None();
  return oidc.discovery(new URL(server.url), clientId, metadata, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** A user with a password, signed in through the JSON sign-in API: the cookie header. */
async function signedInUser(name) {
  const upn = `${name}-${Date.now()}@example.test`;
  const user = await server.graph.createUser({ userPrincipalName: upn, password: PASSWORD });
  const begin = await fetch(`${server.url}/api/v1/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userPrincipalName: upn }),
  });
  if (begin.status === 404) return { user, cookie: null };
  const started = await begin.json();
  const step = await fetch(`${server.url}/api/v1/signin/${encodeURIComponent(started.transactionId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  const cookie = (step.headers.get('set-cookie') ?? '').split(';')[0];
  assert.equal(step.status, 200, `sign-in step: ${await step.text()}`);
  assert.ok(cookie.startsWith('portcullis_session='), `no session cookie: ${cookie}`);
  return { user, cookie };
}

/** Follows authorize with the session cookie and returns the callback URL. */
async function authorizeWithCookie(url, cookie) {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  assert.equal(res.status, 303, `authorize: ${await res.text()}`);
  return new URL(res.headers.get('location'));
}

test('discovery is accepted by openid-client and names every endpoint', async () => {
  const client = await registerClient({});
  const config = await discover(client);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, server.url);
  assert.equal(meta.token_endpoint, `${server.url}/oauth2/token`);
  assert.equal(meta.device_authorization_endpoint, `${server.url}/oauth2/device_authorization`);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.equal(meta.id_token_signing_alg_values_supported[0], 'ES256');
  const jwks = await (await fetch(meta.jwks_uri)).json();
  assert.ok(jwks.keys.some((k) => k.kty === 'EC' && k.alg === 'ES256'));
});

test('client credentials through openid-client give a token the Graph API accepts', async () => {
  const { clientId, clientSecret } = server.bootstrap.automation;
  const config = await discover({ clientId, clientSecret });
  const tokens = await oidc.clientCredentialsGrant(config);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  const res = await fetch(`${server.url}/v1.0/users`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.equal(res.status, 200);
});

test('authorization code with PKCE, then refresh, userinfo, introspection and revocation', async (t) => {
  const { user, cookie } = await signedInUser('code');
  if (!cookie) return t.skip('the JSON sign-in API (/api/v1/signin) has not landed in this build');
  const client = await registerClient({ grantTypes: ['authorization_code', 'refresh_token'] });
  const config = await discover(client, { id_token_signed_response_alg: 'ES256' });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await authorizeWithCookie(url, cookie);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.sub, user.id);
  assert.ok(claims.auth_time > 0 && claims.sid && claims.amr.includes('pwd'));

  const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
  assert.equal(info.preferred_username, user.userPrincipalName);

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  assert.equal(refreshed.claims().sub, user.id);
  // The rotated token is spent: using it again is refused and ends the family.
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');

  const active = await oidc.tokenIntrospection(config, refreshed.access_token);
  assert.equal(active.active, true);
  await oidc.tokenRevocation(config, refreshed.access_token);
  assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);
});

test('device authorization grant: the device polls until the user approves on /device', async (t) => {
  const { user, cookie } = await signedInUser('device');
  if (!cookie) return t.skip('the JSON sign-in API (/api/v1/signin) has not landed in this build');
  const client = await registerClient({ publicClient: true }, { secret: false });
  const config = await discover(client, { id_token_signed_response_alg: 'ES256' });
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
  assert.equal(device.verification_uri, `${server.url}/device`);
  const approve = (async () => {
    const res = await fetch(`${server.url}/device`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code: device.user_code, action: 'approve' }),
      redirect: 'manual',
    });
    assert.equal(res.status, 200, await res.text());
  })();
  const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
  await approve;
  assert.equal(tokens.claims().sub, user.id);
  assert.ok(tokens.refresh_token);
});
