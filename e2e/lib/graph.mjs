// A small client of Portcullis's Graph-shaped admin API, authenticated with the
// automation application's client credentials from `portcullis bootstrap --json`.

export class GraphClient {
  constructor(url, token) {
    this.url = url;
    this.token = token;
  }

  /** Gets an access token with client_secret_basic and returns a client. */
  static async connect(url, automation) {
    const basic = Buffer.from(
      `${encodeURIComponent(automation.clientId)}:${encodeURIComponent(automation.clientSecret)}`,
    ).toString('base64');
    const res = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
    return new GraphClient(url, body.access_token);
  }

  /** One request; throws with Graph's error body on a non-2xx answer. */
  async request(method, path, body) {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const err = new Error(`${method} ${path} → ${res.status}: ${text}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }

  get(path) {
    return this.request('GET', path);
  }
  post(path, body) {
    return this.request('POST', path, body);
  }
  patch(path, body) {
    return this.request('PATCH', path, body);
  }
  delete(path) {
    return this.request('DELETE', path);
  }

  /** Creates an enabled member user with a password; returns the Graph user. */
  async createUser({ userPrincipalName, password, displayName, mail, mobilePhone }) {
    return this.post('/v1.0/users', {
      accountEnabled: true,
      displayName: displayName ?? userPrincipalName.split('@')[0],
      userPrincipalName,
      mailNickname: userPrincipalName.split('@')[0],
      ...(mail ? { mail } : {}),
      ...(mobilePhone ? { mobilePhone } : {}),
      passwordProfile: { password, forceChangePasswordNextSignIn: false },
    });
  }

  /** Creates a Conditional Access policy from its Graph JSON; returns it. */
  createPolicy(policy) {
    return this.post('/v1.0/identity/conditionalAccess/policies', policy);
  }
}
