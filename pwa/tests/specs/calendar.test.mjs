// Reminders without push: the family makes a calendar feed in the app, adds
// a step, and the feed's address, fetched as a phone's calendar fetches it
// (no sign-in, no cookies), lists the new step within a minute under a
// discreet title; turning the address off in the app makes it 404 on the
// next fetch. The screen in Arabic at 360 px, right to left, with no axe
// violations, and at 200 % zoom. A caseworker makes her agency's feed from
// what is shared with it, and the step she promised is in it under a
// discreet title; the family switches the app's language and its feed's
// titles follow, at the same address (switched offline: once back online).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, catalogue, createAgency, addStaff, apiUserId, devLogin, api } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';
import { signIn, createRoadmap, openArea, addStep, settled, offlineReady } from '../lib/app.mjs';
import { dayISO } from '../lib/dates.mjs';

const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();

// pollFeed fetches url as a calendar polls it until ok says the body is
// what is waited for, or a minute has gone; it returns the last fetch.
async function pollFeed(url, ok) {
  const until = Date.now() + 60_000;
  for (;;) {
    const feed = await fetchFeed(url);
    if (ok(feed.body) || Date.now() > until) return feed;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// fetchFeed fetches the address as a calendar app does.
async function fetchFeed(url) {
  const res = await fetch(url, { headers: { 'User-Agent': 'iOS/18.0 dataaccessd/1.0', Accept: 'text/calendar' } });
  return { status: res.status, type: res.headers.get('content-type') || '', body: await res.text() };
}

describe('a calendar feed instead of push', () => {
  let server, browser;
  before(async () => {
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the family subscribes, a new step reaches the calendar, turning it off ends it', async () => {
    const m = await catalogue('nb');
    const page = await newPage(browser);
    await signIn(page, server.url, 'Kari Kalender');
    const id = await createRoadmap(page, 'Familien Hemmelig', []);

    // The settings lead to it.
    await page.goto(`${server.url}/#/settings`);
    await page.getByRole('link', { name: m['calendar.title'] }).click();
    await page.getByRole('heading', { level: 1, name: m['calendar.title'] }).waitFor();
    await page.getByText(m['calendar.off']).waitFor();
    await page.getByRole('button', { name: m['calendar.create'] }).click();
    const address = page.getByLabel(m['calendar.address']);
    await address.waitFor();
    const url = await address.inputValue();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}$/);
    const subscribe = page.getByRole('link', { name: m['calendar.subscribe'] });
    assert.equal(await subscribe.getAttribute('href'), url.replace(/^http:/, 'webcal:'));
    await page.getByRole('img', { name: m['calendar.qr'] }).waitFor();
    await checkA11y(page, 'the calendar feed, address shown (nb)');

    // Empty at first: a calendar, no events.
    let feed = await fetchFeed(url);
    assert.equal(feed.status, 200);
    assert.match(feed.type, /^text\/calendar/);
    assert.match(feed.body, /^BEGIN:VCALENDAR\r\n/);
    assert.doesNotMatch(feed.body, /BEGIN:VEVENT/);

    // A step with a due date, added in the app as a family does.
    const due = dayISO(12);
    await page.goto(`${server.url}/#/roadmaps/${id}`);
    await openArea(page, 'Bolig');
    await addStep(page, { title: 'Ringe utleier om husleia', due });
    await settled(page);

    // The calendar polls; within a minute the step is there.
    const until = Date.now() + 60_000;
    for (;;) {
      feed = await fetchFeed(url);
      if (feed.body.includes('BEGIN:VEVENT') || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(feed.status, 200);
    assert.match(feed.body, /SUMMARY:Veikart: et steg\r\n/);
    assert.match(feed.body, new RegExp(`DTSTART;VALUE=DATE:${due.replaceAll('-', '')}\\r\\n`));
    assert.match(feed.body, /BEGIN:VALARM\r\nACTION:DISPLAY\r\n/);
    // Discreet: nothing of the household or the step.
    for (const secret of ['Hemmelig', 'utleier', 'husleia', 'Kari', 'Bolig']) {
      assert.ok(!feed.body.includes(secret), `the feed shows "${secret}"`);
    }

    // Turned off in the app: the very next fetch is a 404.
    await page.goto(`${server.url}/#/settings/calendar`);
    await page.getByRole('heading', { level: 1, name: m['calendar.title'] }).waitFor();
    await page.getByRole('button', { name: m['calendar.revoke'] }).click();
    await page.getByRole('dialog').getByRole('button', { name: m['calendar.revoke'] }).click();
    await page.getByText(m['calendar.off']).waitFor();
    feed = await fetchFeed(url);
    assert.equal(feed.status, 404);
    assert.match(feed.type, /^application\/problem\+json/);
    assertNoErrors(page);
    await page.context().close();
  });

  test('where push cannot work it is offered, in Arabic at 360 px and at 200 % zoom', async () => {
    const m = await catalogue('ar');
    // No notifications permission, and a browser without PushManager.
    const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
    await page.addInitScript(() => { delete window.PushManager; });
    await signIn(page, server.url, 'Amal');
    await page.evaluate(() => localStorage.setItem('veikart.lang', 'ar'));
    await page.goto(`${server.url}/#/settings`);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.getByText(m['push.unsupported']).waitFor();
    await page.getByRole('link', { name: m['calendar.instead'] }).click();
    await page.getByRole('heading', { level: 1, name: m['calendar.title'] }).waitFor();
    await page.getByRole('button', { name: m['calendar.create'] }).click();
    await page.getByLabel(m['calendar.address']).waitFor();
    await checkA11y(page, 'the calendar feed (ar, 360 px)');
    // What sticks out sideways, as finish.test.mjs looks for it.
    const over = () => page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      const out = [...document.querySelectorAll('main *, header *')].filter((el) => el.getBoundingClientRect().right > w + 1 || el.getBoundingClientRect().left < -1)
        .slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      return document.documentElement.scrollWidth > w + 1 ? out.join(' ') || 'the page' : '';
    });
    assert.equal(await over(), '', 'the screen scrolls sideways at 360 px');
    // 200 % zoom on a 360 px phone: the same screen on 180 CSS px.
    await page.setViewportSize({ width: 180, height: 370 });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: m['calendar.title'] }).waitFor();
    // A new address (the old one is shown only once), shown at this size.
    await page.getByRole('button', { name: m['calendar.rotate'] }).click();
    await page.getByRole('dialog').getByRole('button', { name: m['calendar.rotate'] }).click();
    await page.getByLabel(m['calendar.address']).waitFor();
    assert.equal(await over(), '', 'the screen scrolls sideways at 200 % zoom');
    await checkA11y(page, 'the calendar feed (ar, 200 % zoom)');
    assertNoErrors(page);
    await page.context().close();
  });

  test('a caseworker makes her agency\'s feed; the promised step is in it; the family\'s feed follows its language', async () => {
    const m = await catalogue('nb');
    const en = await catalogue('en');
    await createAgency(server, { id: 'nav-kal', name: 'NAV Kalender', kind: 'nav', region: 'Oslo' });
    await devLogin(server.url, 'Nina Frist');
    await addStaff(server, 'nav-kal', apiUserId('Nina Frist'), 'caseworker');

    // The family shares its economy steps with NAV and gives NAV a step;
    // NAV promises it by a date.
    const family = await newPage(browser);
    await signIn(family, server.url, 'Kari Frist');
    const id = await createRoadmap(family, 'Familien Hemmelig', [{ name: 'Kari' }]);
    const kari = (await devLogin(server.url, 'Kari Frist')).accessToken;
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/grants`, {
      agencyId: 'nav-kal', sections: ['area:economy', 'steps:economy'], permissions: ['view'], purpose: 'Bostøtte', expiresAt: inDays(90),
    });
    await api(server.url, kari, 'POST', `/api/v1/roadmaps/${id}/operations`, { operations: [{ opId: 'o-nav', type: 'step.add', step: {
      id: 's-nav', areaId: 'economy', title: 'Søke om bostøtte', term: 'short', responsible: { kind: 'agency', agencyId: 'nav-kal' } } }] });
    const promised = dayISO(14);
    const nina = (await devLogin(server.url, 'Nina Frist', 'nav-kal')).accessToken;
    await api(server.url, nina, 'POST', `/api/v1/roadmaps/${id}/steps/s-nav/promise`, { answer: 'accept', due: promised });

    // Nina, in the app, from what is shared with her agency.
    const cw = await newPage(browser);
    await signIn(cw, server.url, 'Nina Frist');
    await cw.getByRole('heading', { level: 1, name: m['shared.title'] }).waitFor();
    await cw.getByRole('link', { name: m['calendar.workLink'] }).click();
    await cw.getByRole('heading', { level: 1, name: m['calendar.title'] }).waitFor();
    await cw.getByText(m['calendar.introAgency'].replaceAll('{agency}', 'NAV Kalender')).waitFor();
    await cw.getByRole('button', { name: m['calendar.create'] }).click();
    const workUrl = await cw.getByLabel(m['calendar.address']).inputValue();
    await checkA11y(cw, 'a caseworker\'s calendar feed (nb)');
    let feed = await fetchFeed(workUrl);
    assert.equal(feed.status, 200);
    assert.match(feed.body, /SUMMARY:Veikart: frist\r\n/);
    assert.match(feed.body, new RegExp(`DTSTART;VALUE=DATE:${promised.replaceAll('-', '')}\\r\\n`));
    // The link opens the roadmap in the app; nothing names the family,
    // its people or the step.
    assert.ok(feed.body.replace(/\r\n[ \t]/g, '').includes(`URL:${server.url}/#/roadmaps/${id}`), feed.body);
    for (const secret of ['Hemmelig', 'Kari', 'bostøtte', 'Bostøtte', 'Økonomi']) {
      assert.ok(!feed.body.includes(secret), `the caseworker's feed shows "${secret}"`);
    }

    // The family makes its own feed, then switches the app to English:
    // the same address answers with English titles.
    await family.goto(`${server.url}/#/settings/calendar`);
    await family.getByRole('heading', { level: 1, name: m['calendar.title'] }).waitFor();
    await family.getByRole('button', { name: m['calendar.create'] }).click();
    const url = await family.getByLabel(m['calendar.address']).inputValue();
    feed = await pollFeed(url, (b) => b.includes('SUMMARY:Veikart: et steg'));
    assert.match(feed.body, /SUMMARY:Veikart: et steg\r\n/);
    await family.locator('#lang').selectOption('en');
    await family.getByRole('heading', { level: 1, name: en['calendar.title'] }).waitFor();
    feed = await pollFeed(url, (b) => b.includes('SUMMARY:Veikart: a step'));
    assert.equal(feed.status, 200);
    assert.match(feed.body, /SUMMARY:Veikart: a step\r\n/);
    assert.doesNotMatch(feed.body, /Veikart: et steg/);
    // Switched to Arabic without a network: the feed keeps English until
    // the phone is back online, then follows.
    const ar = await catalogue('ar');
    await offlineReady(family);
    await family.context().setOffline(true);
    await family.locator('#lang').selectOption('ar');
    await family.getByRole('heading', { level: 1, name: ar['calendar.title'] }).waitFor();
    assert.match((await fetchFeed(url)).body, /SUMMARY:Veikart: a step\r\n/);
    await family.context().setOffline(false);
    feed = await pollFeed(url, (b) => b.includes('SUMMARY:Veikart: خطوة'));
    assert.match(feed.body, /SUMMARY:Veikart: خطوة\r\n/);
    // The caseworker's feed keeps hers.
    assert.match((await fetchFeed(workUrl)).body, /SUMMARY:Veikart: frist\r\n/);
    // Offline, the screen's and the language's requests failed, as expected.
    assertNoErrors(family, [/ERR_INTERNET_DISCONNECTED \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/me\/calendar-feed\)/]);
    assertNoErrors(cw);
    await family.context().close();
    await cw.context().close();
  });
});
