// Corporate networks, as the AWS CLI meets them: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (upper or
// lower case) and a CA bundle (AWS_CA_BUNDLE, else the profile's `ca_bundle`) added to Node's roots.
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Agent, AgentConnectOpts } from 'agent-base';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { CollectError } from './errors.js';

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'] as const;

/** Whether any proxy variable is set, in either case. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((v) => Boolean(env[v] || env[v.toUpperCase()]));
}

/**
 * The proxy for a URL ('' for a direct connection): HTTPS_PROXY for https, HTTP_PROXY for http,
 * unless NO_PROXY names the host (a suffix, `.domain`, `host:port` or `*`), as curl and the AWS CLI read them.
 */
export function proxyFor(url: string): string {
  const proxy = getProxyForUrl(url);
  return proxy && underNoProxyDomain(new URL(url)) ? '' : proxy;
}

/**
 * proxy-from-env matches a bare NO_PROXY name (`amazonaws.com`) only exactly; curl and the AWS CLI
 * (Python's proxy_bypass) also match its subdomains: so does this.
 */
function underNoProxyDomain(url: URL): boolean {
  const noProxy = (process.env.no_proxy || process.env.NO_PROXY || '').toLowerCase();
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy.split(/[,\s]/).some((entry) => {
    const m = /^(.+?)(?::(\d+))?$/.exec(entry.replace(/^[*.]+/, ''));
    if (!m?.[1] || (m[2] && m[2] !== port)) return false;
    return host === m[1] || host.endsWith(`.${m[1]}`);
  });
}

/** The CA bundle's path: AWS_CA_BUNDLE, else the profile's `ca_bundle` (the AWS CLI's order; the profile read by ./profile.ts). */
export function caBundlePath(profileCaBundle: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_CA_BUNDLE || profileCaBundle || undefined;
}

/** Node's default roots plus the bundle's certificates; a bundle that cannot be read is a run-level error. */
export function trustedRoots(path: string | undefined): string[] | undefined {
  if (!path) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CollectError(`cannot read the CA bundle ${path} (${code}): check AWS_CA_BUNDLE or the profile's ca_bundle`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CollectError(`the CA bundle ${path} holds no PEM certificate: check AWS_CA_BUNDLE or the profile's ca_bundle`);
  }
  return [...tls.rootCertificates, pem];
}

interface NetworkOptions {
  keepAlive: boolean;
  maxSockets: number;
  /** The trusted roots (Node's and the bundle's), when a bundle is set. */
  ca?: string[];
}

type AgentModules = { Agent: typeof Agent; HttpsProxyAgent: typeof HttpsProxyAgent };

/**
 * agent-base and https-proxy-agent are ES modules: required (Node 20.19+ loads them from CommonJS)
 * only when a proxy is set, so a run without one never loads them.
 */
const loadAgents = (): AgentModules => {
  const load = createRequire(__filename);
  return {
    Agent: (load('agent-base') as AgentModules).Agent,
    HttpsProxyAgent: (load('https-proxy-agent') as AgentModules).HttpsProxyAgent,
  };
};

/**
 * An agent whose connections go where the environment says: through the proxy for their URL (a
 * CONNECT tunnel, then TLS to AWS with the bundle), or straight to AWS when NO_PROXY names the host.
 */
function routingAgent(settings: NetworkOptions, mods: AgentModules): Agent {
  const proxies = new Map<string, HttpsProxyAgent<string>>();
  const through = (proxy: string) => {
    let agent = proxies.get(proxy);
    if (!agent) {
      agent = new mods.HttpsProxyAgent(proxy, settings.ca ? { ca: settings.ca } : {});
      proxies.set(proxy, agent);
    }
    return agent;
  };
  class RoutingAgent extends mods.Agent {
    connect(req: ClientRequest, opts: AgentConnectOpts) {
      const secure = opts.secureEndpoint;
      const host = req.host || opts.host || 'localhost';
      const url = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
      const proxy = proxyFor(url);
      // The TLS to AWS (inside the tunnel or not) trusts the bundle; the proxy agent upgrades with these options.
      const target: AgentConnectOpts = secure && settings.ca ? { ...opts, ca: settings.ca } : opts;
      if (proxy) return through(proxy).connect(req, target);
      if (!target.secureEndpoint) return net.connect(target);
      const servername = net.isIP(host) ? undefined : host;
      return tls.connect({ ...target, ...(servername ? { servername } : {}) });
    }
  }
  return new RoutingAgent({ keepAlive: settings.keepAlive, maxSockets: settings.maxSockets });
}

/**
 * The HTTP and HTTPS agents of a client: Node's own agents (trusting the bundle, if one is set) when
 * no proxy is set, else agents that route by the proxy variables and trust the bundle.
 */
export function agents(
  base: { keepAlive: boolean; maxSockets: number },
  profileCaBundle: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { httpAgent: object; httpsAgent: object } {
  const ca = trustedRoots(caBundlePath(profileCaBundle, env));
  // Without a proxy, Node's own agents: the handler makes an https.Agent of these options, `ca` included.
  if (!proxyConfigured(env)) return { httpAgent: { ...base }, httpsAgent: { ...base, ...(ca ? { ca } : {}) } };
  const mods = loadAgents();
  return { httpAgent: routingAgent({ ...base }, mods), httpsAgent: routingAgent({ ...base, ...(ca ? { ca } : {}) }, mods) };
}
