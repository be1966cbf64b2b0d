// The app's front door: the page at / loads, says which language it is in,
// is served under the Content-Security-Policy, logs no errors, and passes
// axe. Generic on purpose: it must hold for any version of the app.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertNoErrors, checkA11y, launch, newPage } from '../lib/browser.mjs';

describe('smoke', () => {
  let server, browser, page, response;

  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await newPage(browser);
    response = await page.goto(server.url + '/', { waitUntil: 'load' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the page loads', () => {
    assert.equal(response.status(), 200);
  });

  test('the page names its language', async () => {
    const lang = await page.locator('html').getAttribute('lang');
    assert.match(lang ?? '', /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, `<html lang="${lang}">`);
  });

  test('the page is served with a Content-Security-Policy', async () => {
    const csp = (await response.allHeaders())['content-security-policy'];
    assert.ok(csp, 'no Content-Security-Policy header');
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  test('the page logs no errors', () => {
    assertNoErrors(page);
  });

  test('axe finds no WCAG 2.1 AA violation', async () => {
    await checkA11y(page, 'the start page');
  });
});
