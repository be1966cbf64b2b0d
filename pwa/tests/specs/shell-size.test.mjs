// The quick half of `npm run budget`: the app shell stays under its
// compressed size budget, and everything it refers to exists. (Lighthouse is
// too slow for every test run; npm run budget runs it.)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { measureShell, shellBudget, shellTable } from '../lib/shell.mjs';

describe('shell size', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test(`the app shell is under ${shellBudget / 1024} KB compressed`, async (t) => {
    const shell = await measureShell(server.url + '/');
    for (const line of shellTable(shell).split('\n')) t.diagnostic(line);
    assert.deepEqual(shell.missing, [], 'the shell refers to files the server does not have');
    assert.ok(shell.total <= shellBudget, `the shell is ${shell.total} bytes compressed, over the budget of ${shellBudget}:\n${shellTable(shell)}`);
  });
});
