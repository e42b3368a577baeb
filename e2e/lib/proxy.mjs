// Pieces shared by the reverse-proxy forward-auth tests (nginx, Caddy): the app behind
// the proxy, and waiting for a proxy the test started to listen.

import { createServer } from 'node:http';
import { freePort } from './server.mjs';

/** A tiny app on loopback that answers with the identity headers it received. */
export async function startEchoApp() {
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

/**
 * Waits until `url` accepts connections, failing early (with the proxy's output in
 * `logs`) when the `child` process `name` exits or after `timeoutMs`.
 */
export async function waitUntilListening(child, url, logs, name, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${logs.join('')}`);
    try {
      await fetch(`${url}/`, { redirect: 'manual' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${name} not listening: ${logs.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
