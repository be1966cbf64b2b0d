// The helpers the browser tests set their scene with work against the real
// server: the development login, API calls, and the operator's agency CLI.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addStaff, api, ApiError, apiUserId, createAgency, devLogin, startServer } from '../lib/server.mjs';

describe('harness', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('devLogin signs in, and apiUserId knows the id it gives', async () => {
    const kari = await devLogin(server.url, 'Kari');
    assert.equal(kari.user.id, apiUserId(' kari '));
    const me = await api(server.url, kari.accessToken, 'GET', '/api/v1/me');
    assert.equal(me.name, 'Kari');
  });

  test('api throws ApiError with the problem details', async () => {
    const err = await api(server.url, null, 'GET', '/api/v1/me').catch((e) => e);
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, 401);
    assert.ok(err.problem?.title);
  });

  test('createAgency and addStaff let a new caseworker act for the agency', async () => {
    const agency = await createAgency(server, { id: 'test-bolig', name: 'Boligkontoret Test', kind: 'housing-office' });
    assert.equal(agency.id, 'test-bolig');
    await devLogin(server.url, 'Per'); // the server only takes people it knows as staff
    const staffed = await addStaff(server, 'test-bolig', apiUserId('Per'), ['caseworker', 'admin']);
    assert.deepEqual(staffed.staff.map((s) => s.userId), [apiUserId('Per')]);
    const per = await devLogin(server.url, 'Per', 'test-bolig');
    assert.equal(per.actingFor, 'test-bolig');
  });
});
