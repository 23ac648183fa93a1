import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';

/**
 * A corporate network in miniature: a CA of its own (made with the openssl CLI at test time), an
 * HTTPS front signed by it that forwards to a plain-HTTP AWS emulator, and a CONNECT proxy.
 */

export interface Ca {
  /** The CA's certificate (PEM file): what AWS_CA_BUNDLE names. */
  caFile: string;
  key: string;
  cert: string;
}

/** A CA and a certificate for localhost / 127.0.0.1 signed by it, in `dir`. */
export function makeCa(dir: string): Ca {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=ssm-doctor test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
    '-out',
    f('server.pem'),
  );
  return { caFile: f('ca.pem'), key: readFileSync(f('server.key'), 'utf8'), cert: readFileSync(f('server.pem'), 'utf8') };
}

export interface Server {
  port: number;
  close(): Promise<void>;
}

const listen = async (server: net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const closer = (server: net.Server, sockets: Set<net.Socket>) => () =>
  new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });

const pipeBoth = (a: net.Socket, b: net.Socket) => {
  a.pipe(b).on('error', () => a.destroy());
  b.pipe(a).on('error', () => b.destroy());
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
};

/** TLS on 127.0.0.1 with the CA's certificate, each connection forwarded to `targetUrl` (plain HTTP). */
export async function startTlsFront(ca: Ca, targetUrl: string): Promise<Server> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: ca.key, cert: ca.cert }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    pipeBoth(socket, upstream);
  });
  server.on('tlsClientError', () => undefined);
  return { port: await listen(server), close: closer(server, sockets) };
}

export interface Proxy extends Server {
  /** The targets of the CONNECT requests it tunnelled, in order. */
  connects: string[];
  /** The Proxy-Authorization headers it was sent. */
  auth: string[];
}

/** An HTTP proxy that tunnels CONNECT (and nothing else: a plain request is refused with 405). */
export async function startConnectProxy(): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const connects: string[] = [];
  const auth: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const header = req.headers['proxy-authorization'];
    if (header) auth.push(header);
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      pipeBoth(client, upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
  });
  return { port: await listen(server), close: closer(server, sockets), connects, auth };
}
