// A plain HTTP proxy in front of the server, for tests that need the
// network to misbehave in ways a browser cannot fake from inside: an answer
// lost on its way back after the server acted on the request. It sits
// outside the browser, so the app's service worker cannot hide requests
// from it.

import { createServer, request } from 'node:http';

/**
 * @param {string} target  the server's base URL
 * @returns {Promise<{url: string, seen: (re: RegExp) => number, loseNextAnswer: (re: RegExp) => void, stop: () => Promise<void>}>}
 */
export async function startProxy(target) {
  const to = new URL(target);
  const log = [];
  const lose = [];
  const srv = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    log.push(line);
    const i = lose.findIndex((re) => re.test(line));
    const drop = i >= 0;
    if (drop) lose.splice(i, 1);
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (upRes) => {
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
    stop: () => new Promise((ok) => { srv.closeAllConnections(); srv.close(() => ok()); }),
  };
}
