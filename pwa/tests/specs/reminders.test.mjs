// Reminders that do not fail silently: ticking "remind me" on a phone that
// shows no notifications leads straight to turning them on, and whatever
// stands in the way is said in the person's language, never in the
// browser's English ("Registration failed - permission denied").

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, catalogue } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, openArea, offlineReady } from '../lib/app.mjs';


describe('a reminder on a phone without notifications', () => {
  let server, browser;

  before(async () => {
    server = await startServer();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const lang of ['nb', 'ar']) {
    test(`leads to turning them on, and says why it could not (${lang})`, async () => {
      const m = await catalogue(lang);
      // Notifications allowed by the person, but no push service reachable
      // (this machine has none): the subscription itself fails.
      const page = await newPage(browser, { permissions: ['notifications'] });
      await signIn(page, server.url, `Rita ${lang}`);
      const id = await createRoadmap(page, `Familien ${lang}`, []);
      await offlineReady(page);
      await openArea(page, 'Bolig');
      if (lang !== 'nb') {
        await page.evaluate((l) => localStorage.setItem('veikart.lang', l), lang);
        await page.reload();
      }
      await page.goto(`${server.url}/#/roadmaps/${id}/areas/housing/steps/new`);
      await page.getByRole('heading', { level: 1, name: m['step.add'] }).waitFor();
      await page.getByRole('checkbox', { name: m['reminder.on'] }).check();
      await page.getByText(m['push.notOnHere']).waitFor();
      await checkA11y(page, `the offer to turn reminders on (${lang})`);
      await page.getByRole('button', { name: m['push.turnOn'] }).click();
      const said = page.getByRole('status').filter({ hasText: /\S/ });
      await said.first().waitFor();
      const text = (await said.first().innerText()).trim();
      assert.ok([m['push.failed'], m['push.denied'], m['error.offline']].includes(text), `not a message of the catalogue: ${text}`);
      assert.doesNotMatch(await page.locator('main').innerText(), /Registration failed|permission denied|AbortError/i);
      // Chromium logs its own reason (no push in an incognito-like
      // context); the person reads ours.
      assertNoErrors(page, [/does not support the Push API/]);
      await page.context().close();
    });
  }

  test('refused notifications: it says how to allow them, with no button that cannot work', async () => {
    const m = await catalogue('nb');
    const page = await newPage(browser);
    await page.context().grantPermissions([]);
    await signIn(page, server.url, 'Rita nektet');
    const id = await createRoadmap(page, 'Familien nektet', []);
    await page.goto(`${server.url}/#/roadmaps/${id}/areas/housing/steps/new`);
    await page.getByRole('heading', { level: 1, name: m['step.add'] }).waitFor();
    await page.getByRole('checkbox', { name: m['reminder.on'] }).check();
    await page.getByText(m['push.notOnHere']).waitFor();
    // Without permission given, asking is refused (headless Chromium says
    // no at once), and the answer is ours.
    const button = page.getByRole('button', { name: m['push.turnOn'] });
    if (await button.count()) {
      await button.click();
      await page.getByText(m['push.denied']).waitFor();
    } else {
      await page.getByText(m['push.denied']).waitFor();
    }
    assert.doesNotMatch(await page.locator('main').innerText(), /Registration failed|permission denied/i);
    await page.context().close();
  });
});
