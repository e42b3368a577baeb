// TOTP codes from the real `oathtool` (RFC 6238), never from our own implementation,
// so the end-to-end tests cross-check it.

import { execFileSync } from 'node:child_process';

/**
 * The TOTP code for a base32 secret at `at` (a Date; default now).
 * Options: digits (6|8), algorithm ('SHA1'|'SHA256'|'SHA512'), period (seconds).
 */
export function totp(secretBase32, { at = new Date(), digits = 6, algorithm = 'SHA1', period = 30 } = {}) {
  const stamp = at.toISOString().replace('T', ' ').replace(/\..*$/, '');
  return execFileSync(
    'oathtool',
    [
      `--totp=${algorithm}`,
      '--base32',
      `--digits=${digits}`,
      `--time-step-size=${period}s`,
      `--now=${stamp} UTC`,
      secretBase32.replace(/\s+/g, ''),
    ],
    { encoding: 'utf8' },
  ).trim();
}

/** Parses an otpauth:// URI into { secret, digits, algorithm, period, issuer, account }. */
export function parseOtpauth(uri) {
  const u = new URL(uri);
  const label = decodeURIComponent(u.pathname.replace(/^\/+/, ''));
  return {
    secret: u.searchParams.get('secret'),
    digits: Number(u.searchParams.get('digits') ?? 6),
    algorithm: (u.searchParams.get('algorithm') ?? 'SHA1').toUpperCase(),
    period: Number(u.searchParams.get('period') ?? 30),
    issuer: u.searchParams.get('issuer'),
    account: label.includes(':') ? label.split(':').slice(1).join(':') : label,
  };
}
