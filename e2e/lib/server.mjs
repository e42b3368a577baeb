// Starts a real `portcullis serve` for one test file: a fresh data directory, the offline
// bootstrap (first Global Administrator + automation client), a free loopback port, and
// readiness awaited. Every test file gets its own server, so files never share state.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphClient } from './graph.mjs';

/** The binary under test: PORTCULLIS_BIN (set by scripts/test.d/e2e.sh) or the debug build. */
export function portcullisBin() {
  return process.env.PORTCULLIS_BIN ?? new URL('../../target/debug/portcullis', import.meta.url).pathname;
}

/** A loopback port nobody listens on right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, logs, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`portcullis exited with ${child.exitCode}:\n${logs.join('')}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`portcullis not ready after ${timeoutMs} ms:\n${logs.join('')}`);
}

/**
 * Starts Portcullis. Options:
 * - `config`: TOML text written to `portcullis.toml` in the data directory and passed with --config;
 * - `env`: extra environment (e.g. PORTCULLIS_… overrides);
 * - `databaseUrl`: postgres://… instead of the embedded SQLite.
 * Returns { url, dataDir, bootstrap, graph, logs, stop }. `url` uses the host name
 * `localhost`, because WebAuthn refuses IP addresses as relying-party ids.
 */
export async function startPortcullis({ config, env = {}, databaseUrl } = {}) {
  const bin = portcullisBin();
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const common = ['--data-dir', dataDir];
  if (databaseUrl) common.push('--database-url', databaseUrl);
  if (config) {
    const path = join(dataDir, 'portcullis.toml');
    writeFileSync(path, config);
    common.push('--config', path);
  }
  const childEnv = { ...process.env, ...env };

  const bootstrap = JSON.parse(
    execFileSync(bin, ['bootstrap', ...common, '--json', '--public-url', url], {
      env: childEnv,
      encoding: 'utf8',
    }),
  );

  const logs = [];
  const child = spawn(
    bin,
    ['serve', ...common, '--listen', `127.0.0.1:${port}`, '--public-url', url, '--log-format', 'json'],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  await waitReady(url, child, logs, 30_000);

  const graph = await GraphClient.connect(url, bootstrap.automation);
  return {
    url,
    dataDir,
    bootstrap,
    graph,
    logs,
    /** Stops the server (SIGTERM, graceful) and removes its data directory. */
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
