#!/usr/bin/env node
// Runs web-push-testing's push service in the foreground for backend/push
// tests: `node serve.js [port]` (0 or nothing: any free port).
//
// Why not the package's own `web-push-testing start`: that command detaches
// the server, keeps its pid in a .node-persist directory in the working
// directory, listens on every interface and names its endpoints "localhost".
// A test needs a child it can kill, bound to loopback only, whose endpoints
// name 127.0.0.1 (the address the sender's loopback policy accepts), on a port
// the kernel picked so parallel test binaries never collide. So this builds
// the same server and model and only changes where it listens. It reaches
// into the package's src/, which is why package.json pins it exactly.
//
// When it is listening it prints one line of JSON: {"port": N}.
'use strict';

const TestingServer = require('web-push-testing/src/server.js');
const {PushApiModel} = require('web-push-testing/src/PushApiModel.js');

const host = '127.0.0.1';
const port = Number(process.argv[2] || 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error('serve.js: invalid port ' + process.argv[2]);
	process.exit(2);
}

const model = new PushApiModel();
const server = new TestingServer(model, port);

// startServer calls app.listen(port, cb) and then registers the routes; bind
// to loopback instead, and learn the port the kernel chose before the
// endpoints it hands out are built from it.
const app = server._app;
const listen = app.listen.bind(app);
app.listen = (_port, cb) => {
	const s = listen(port, host, () => {
		const actual = s.address().port;
		model.notifyUrl = 'http://' + host + ':' + actual + '/notify/';
		process.stdout.write(JSON.stringify({port: actual}) + '\n');
		if (cb) {
			cb();
		}
	});
	return s;
};
// The package logs "Server running on port ..." from its callback; the JSON
// line above is the one the Go helper reads, so silence the rest of stdout's
// chatter by sending console.log to stderr.
console.log = (...args) => console.error(...args);

server.startServer();

// Exit when the parent goes away (its end of stdin closes) so that a test
// binary killed by a timeout leaves no server behind.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
