import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/harness.js';

describe.skipIf(!hasChromium('/docs'))('the API reference at /docs, in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let baseUrl: string;
  beforeAll(async () => {
    h = await startHarness();
    baseUrl = await h.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('renders every documented operation, without credentials, from this server alone', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });

    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; summary: string }>>;
    };
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Atelier — ModelArts Resource Management API');
    for (const op of operations) {
      expect(text, op.operationId).toContain(op.operationId);
      expect(text, op.operationId).toContain(op.summary);
    }
    expect(failed).toEqual([]);
    expect(foreign).toEqual([]);

    // A blank page would be a few kilobytes; docs/api-reference.png is one of these.
    const shot = await page.screenshot({ type: 'png' });
    expect(shot.length).toBeGreaterThan(20_000);
    await page.close();
  });
});
