// proxy-from-env ships no types: its one function, as its README documents it.
declare module 'proxy-from-env' {
  /** The proxy URL for a URL by the standard proxy variables, or '' for a direct connection. */
  export function getProxyForUrl(url: string | URL): string;
}
