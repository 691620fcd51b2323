/**
 * Security headers of every HTTP answer (helmet). The Content-Security-Policy lets a page run
 * only the built client's own files and talk only to this server, so that a note text that ever
 * reached the page as markup could not run, load or send anything; and no other site may frame
 * the board (clickjacking a leader into "end" or "remove").
 */
import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';

/** 180 days: long enough to protect between meetings, short enough to undo a move off HTTPS. */
const HSTS_MAX_AGE_S = 180 * 24 * 60 * 60;

/** A Host header as browsers send it: a name, IPv4 or [IPv6], and an optional port. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The board WebSocket and Socket.IO connect to the page's own host. CSP 3 lets 'self' cover
 * ws(s) to it, but older Safari does not, so the WebSocket origins are named as well.
 */
function webSocketSources(publicOrigin: string | null): (req: IncomingMessage) => string {
  if (publicOrigin) {
    const url = new URL(publicOrigin);
    const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const source = `${scheme}//${url.host}`;
    return () => source;
  }
  return (req) => {
    const host = req.headers.host ?? '';
    // The host comes from the client: anything that could end the directive adds nothing.
    if (!PLAIN_HOST.test(host)) return '';
    return `ws://${host} wss://${host}`;
  };
}

export function securityHeaders(publicOrigin: string | null) {
  const https = publicOrigin?.startsWith('https:') ?? false;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'", webSocketSources(publicOrigin)],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // data: for QR codes drawn as images; an image cannot run script.
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // React's style={} sets CSSOM properties, which CSP does not govern: no 'unsafe-inline'.
        styleSrc: ["'self'"],
        // Only over HTTPS: on a plain-HTTP local network it would send phones to a port with no TLS.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}
