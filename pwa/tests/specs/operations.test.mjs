// The app applies operations as the server does. The table of cases that
// backend/veikart's TestOperationCases runs against the server's domain
// (backend/veikart/testdata/operations.cases.json) runs here against the
// app's pwa/js/model.js, loaded from the real binary into Chromium: each
// case's roadmap and operations in, the same roadmap and outcomes, or the
// same error or conflicts, out.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startServer } from '../lib/server.mjs';
import { assertNoErrors, launch, newPage } from '../lib/browser.mjs';

const table = JSON.parse(readFileSync(join(repoRoot, 'backend', 'veikart', 'testdata', 'operations.cases.json'), 'utf8'));

// withoutPending is a roadmap as the server would have it: the app marks
// what its queued operations add as pending.
const withoutPending = (r) => ({
  ...r,
  members: r.members.map(({ pending, ...m }) => m),
  areas: r.areas.map(({ pending, ...a }) => a),
  steps: r.steps.map(({ pending, ...s }) => s),
});

describe('operations, as the server applies them', () => {
  let server, browser, page, got;

  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await newPage(browser);
    await page.goto(server.url + '/', { waitUntil: 'load' });
    // Every case at once, in the page, as the app's own module does it;
    // JSON in and out, so that what crosses is what the server would send.
    got = JSON.parse(await page.evaluate(async (json) => {
      const { applyBatch } = await import('/js/ops.js');
      const { apply } = await import('/js/model.js');
      const t = JSON.parse(json);
      return JSON.stringify(t.cases.map((c) => {
        const start = t.roadmaps[c.roadmap];
        const before = JSON.stringify(start);
        const out = applyBatch(start, c.ops, c.now);
        return {
          out: out.roadmap ? { results: out.results, roadmap: out.roadmap } : out,
          untouched: JSON.stringify(start) === before,
          shown: apply({ ...start, updatedAt: c.now }, c.ops),
        };
      }));
    }, JSON.stringify(table)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the table covers every operation type, replays, conflicts and refusals', () => {
    const types = new Set(table.cases.flatMap((c) => c.ops.map((op) => op.type)));
    for (const t of ['roadmap.setTitle', 'member.add', 'member.update', 'member.remove', 'area.add', 'area.update', 'area.remove', 'step.add', 'step.update', 'step.remove', 'step.setBlocker', 'roadmap.setMunicipality']) {
      assert.ok(types.has(t), `no case has ${t}`);
    }
    const outcomes = new Set(table.cases.flatMap((c) => (c.want.results ?? []).map((r) => r.outcome)));
    assert.deepEqual([...outcomes].sort(), ['applied', 'duplicate']);
    assert.ok(table.cases.some((c) => c.want.conflicts), 'no case conflicts');
    assert.ok(table.cases.some((c) => c.want.error), 'no case is refused');
  });

  for (const [i, c] of table.cases.entries()) {
    test(c.name, () => {
      const { out, untouched, shown } = got[i];
      assert.deepStrictEqual(out, c.want);
      assert.ok(untouched, 'applyBatch changed the roadmap it was given');
      // The screen's view of the same operations queued: where the server
      // applies the batch, the same roadmap (what they add marked pending).
      // (A batch of duplicates changes nothing, not even the time.)
      const start = table.roadmaps[c.roadmap];
      if (c.want.roadmap?.version === start.version) assert.deepStrictEqual(shown, { ...start, updatedAt: c.now });
      else if (c.want.roadmap) assert.deepStrictEqual(withoutPending(shown), c.want.roadmap);
    });
  }

  test('the page logged no errors', () => assertNoErrors(page));
});
