// A plain HTTP proxy in front of the server, for tests that need the
// network to misbehave in ways a browser cannot fake from inside: an answer
// lost on its way back after the server acted on the request. It sits
// outside the browser, so the app's service worker cannot hide requests
// from it.

import { createServer, request } from 'node:http';

/**
 * @param {string} target  the server's base URL
 * @returns {Promise<{url: string, seen: (re: RegExp) => number, loseNextAnswer: (re: RegExp) => void, failNext: (re: RegExp, status?: number) => void, rewrite: (match: RegExp|null, fn?: (body: string) => string) => void, stop: () => Promise<void>}>}
 */
export async function startProxy(target) {
  const to = new URL(target);
  const log = [];
  const lose = [];
  const fail = []; // [RegExp, status]: answered by the proxy, not forwarded
  let rewrite = null;
  const srv = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    log.push(line);
    const f = fail.findIndex(([re]) => re.test(line));
    if (f >= 0) {
      const [[, status]] = fail.splice(f, 1);
      req.resume();
      res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
      res.end(JSON.stringify({ type: '/problems/unavailable', title: 'Unavailable', status }));
      return;
    }
    const i = lose.findIndex((re) => re.test(line));
    const drop = i >= 0;
    if (drop) lose.splice(i, 1);
    const headers = { ...req.headers, host: to.host };
    if (rewrite && rewrite.match.test(line)) {
      // Rewritten answers are read as plain text.
      delete headers['accept-encoding'];
      delete headers['if-none-match'];
    }
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (upRes) => {
      if (rewrite && rewrite.match.test(line)) {
        const chunks = [];
        upRes.on('data', (c) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.from(rewrite.fn(Buffer.concat(chunks).toString('utf8')));
          const headers = { ...upRes.headers, 'content-length': body.length };
          delete headers['content-encoding'];
          delete headers.etag;
          res.writeHead(upRes.statusCode, headers);
          res.end(body);
        });
        return;
      }
      if (drop) {
        // The server has done its work; the phone never hears of it.
        upRes.resume();
        upRes.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(upRes.statusCode, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  srv.keepAliveTimeout = 1000;
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${srv.address().port}`,
    seen: (re) => log.filter((l) => re.test(l)).length,
    loseNextAnswer: (re) => lose.push(re),
    // failNext answers the next matching request itself with status (a
    // gateway's 502 or 503), without the server seeing it.
    failNext: (re, status = 503) => fail.push([re, status]),
    // rewrite changes the bodies of answers to requests matching match (a
    // new release, say); null stops it.
    rewrite: (match, fn) => { rewrite = match ? { match, fn } : null; },
    stop: () => new Promise((ok) => { srv.closeAllConnections(); srv.close(() => ok()); }),
  };
}
