// A minimal SMTP sink on loopback for the end-to-end tests: it speaks just enough of
// RFC 5321 (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to accept what
// Portcullis sends over plain SMTP to a loopback host, and keeps every message.

import { createServer } from 'node:net';

/**
 * Starts the sink on a free loopback port.
 * Returns { port, messages, waitFor(predicate, timeoutMs), close() }; each message is
 * { from, to: [..], data } with the raw headers and body in `data`.
 */
export async function startSmtpSink() {
  const messages = [];
  const waiters = [];
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current = { from: null, to: [], data: '' };
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 sink.localhost ESMTP ready');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let index;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { from: null, to: [], data: '' };
            reply('250 2.0.0 queued');
            for (const waiter of [...waiters]) waiter();
          } else {
            current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          reply('250-sink.localhost');
          reply('250 8BITMIME');
        } else if (verb === 'HELO') reply('250 sink.localhost');
        else if (verb === 'MAIL') {
          current.from = line.replace(/^MAIL FROM:\s*/i, '');
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          current.to.push(line.replace(/^RCPT TO:\s*/i, ''));
          reply('250 2.1.5 ok');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 end with .');
        } else if (verb === 'RSET') {
          current = { from: null, to: [], data: '' };
          reply('250 ok');
        } else if (verb === 'NOOP') reply('250 ok');
        else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    messages,
    /** Resolves with the first message matching `predicate`, waiting for it to arrive. */
    waitFor(predicate, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        const check = () => {
          const match = messages.find(predicate);
          if (match) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            resolve(match);
          }
        };
        waiters.push(check);
      });
    },
    close() {
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The decoded text body of a message (7bit, quoted-printable or base64). */
export function bodyText(message) {
  const [head, ...rest] = message.data.split('\n\n');
  const body = rest.join('\n\n');
  const encoding = (/^content-transfer-encoding:\s*(\S+)/im.exec(head)?.[1] ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
  return body;
}
