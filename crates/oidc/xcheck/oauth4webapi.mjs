// Validates portcullis-oidc's output with oauth4webapi (the core of npm openid-client).
// Run: cargo run -q -p portcullis-oidc --example emit_vectors > /tmp/v.json
//      (in a directory with `npm install oauth4webapi@3.8.8`) node oauth4webapi.mjs /tmp/v.json
import * as oauth from 'oauth4webapi';
import { readFileSync } from 'node:fs';

const v = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const as = await oauth.processDiscoveryResponse(
  new URL(v.issuer),
  new Response(JSON.stringify(v.discovery), { headers: { 'content-type': 'application/json' } }),
);
console.log('discovery accepted, issuer', as.issuer);
const client = { client_id: 'web-app' };
const ok = oauth.validateAuthResponse(as, client, new URL(v.success_redirect), v.state);
console.log('success response accepted, code =', ok.get('code'));
try {
  oauth.validateAuthResponse(as, client, new URL(v.error_redirect), v.state);
  console.log('UNEXPECTED: error response accepted');
  process.exit(1);
} catch (e) {
  console.log('error response recognised:', e.error, '-', e.error_description);
}
try {
  oauth.validateAuthResponse(as, client, new URL(v.success_redirect), 'other-state');
  console.log('UNEXPECTED: wrong state accepted');
  process.exit(1);
} catch (e) {
  console.log('wrong state refused:', e.message);
}
