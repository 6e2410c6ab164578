import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import {
  adminCall,
  faultModels,
  startGatewayTestApp,
  testAdminKey,
  type GatewayTestApp,
} from './support/gateway-test-app.ts';
import { openAiClient } from './support/openai-client.ts';

/** Debian's Chromium unless `SWITCHBOARD_CHROMIUM` names another. */
const chromiumPath = process.env.SWITCHBOARD_CHROMIUM?.trim() || '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const chromiumInstalled = existsSync(chromiumPath);
const inCi = Boolean(process.env.CI);
if (!chromiumInstalled && !inCi) {
  console.warn(
    `Chromium was not found at ${chromiumPath}: the dashboard browser test is skipped (install Debian's ` +
      'chromium package or set SWITCHBOARD_CHROMIUM; in CI, where CI is set, a missing Chromium fails the test).',
  );
}

/** Screenshots land here (gitignored): CI keeps them as test artifacts. */
const artifactsDirectory = fileURLToPath(new URL('../.test-results/', import.meta.url));

/** Generous: two shared, noisy cores. The page polls every second in these tests. */
const waitMs = 60_000;
/** PGlite only: the page reads the same API on either engine, and a browser run is costly. */
const target = testDatabaseTargets().find((candidate) => candidate.name === 'PGlite')!;

describe('dashboard routes', () => {
  let app: GatewayTestApp;

  beforeAll(async () => {
    app = await startGatewayTestApp(target);
  });
  afterAll(() => app?.close());

  it('serves the page and its files without a key, with a strict content security policy', async () => {
    for (const route of [
      '/',
      '/dashboard/dashboard.js',
      '/dashboard/dashboard.css',
      '/dashboard/chart.umd.min.js',
    ]) {
      const response = await fetch(`${app.base}${route}`);
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-security-policy'), route).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options'), route).toBe('nosniff');
      expect((await response.text()).length, route).toBeGreaterThan(0);
    }
    const page = await fetch(`${app.base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const again = await fetch(`${app.base}/`, { headers: { 'if-none-match': page.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('still requires the admin key for the data the page shows', async () => {
    const anonymous = await fetch(`${app.base}/admin/decisions`);
    expect(anonymous.status).toBe(401);
    const service = await fetch(`${app.base}/admin/decisions`, { headers: app.authorization });
    expect(service.status).toBe(403);
  });

  it('lists recent decisions newest first and explains each, without message content', async () => {
    const client = openAiClient(app.base, app.apiKey);
    const secret = 'a sentence only the player wrote';
    for (let index = 0; index < 2; index += 1) {
      await client.chat.completions.create({
        model: 'switchboard/auto',
        messages: [{ role: 'user', content: secret }],
      });
    }
    const listed = await adminCall(app.base, 'GET', '/admin/decisions?limit=1');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    const [newest] = listed.body.data;
    expect(newest).toMatchObject({
      source: 'gateway',
      task: 'general_chat',
      risk: 'none',
      chosenModel: faultModels.healthy,
      answeredBy: faultModels.healthy,
      explained: true,
    });
    expect(newest.reason).toContain(faultModels.healthy);

    const explained = await adminCall(app.base, 'GET', `/admin/decisions/${newest.id}`);
    expect(explained.status).toBe(200);
    expect(explained.body.candidates[0]).toMatchObject({ modelId: faultModels.healthy });
    expect(explained.body.candidates[0].reason).toEqual(expect.any(String));
    expect(explained.body.rejections).toContainEqual(
      expect.objectContaining({ modelId: faultModels.unavailable, code: 'policy-denied' }),
    );
    expect(explained.body.parameters).toMatchObject({ maxOutputTokens: expect.any(Number) });
    expect(JSON.stringify(explained.body)).not.toContain(secret);
    expect(JSON.stringify((await adminCall(app.base, 'GET', '/admin/decisions')).body)).not.toContain(secret);
  });

  it('says what was wrong with a bad limit or an unknown decision', async () => {
    const badLimit = await adminCall(app.base, 'GET', '/admin/decisions?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain('limit');
    const unknown = await adminCall(app.base, 'GET', '/admin/decisions/no-such-decision');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('GET /admin/decisions');
  });
});

describe.skipIf(!chromiumInstalled && !inCi)('dashboard in Chromium', () => {
  let app: GatewayTestApp;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  const costApiPresent = async (): Promise<boolean> =>
    (await adminCall(app.base, 'GET', `/admin/analytics/cost?groupBy=model`)).status !== 404;
  /** The last point of the live chart's "All models" line, in dollars; `null` while it has none. */
  const liveTotal = async (): Promise<number | null> =>
    (await page.evaluate(`(() => {
      const chart = window.Chart && window.Chart.getChart(document.getElementById('chart-cost-live'));
      const total = chart && chart.data.datasets.find((dataset) => dataset.label === 'All models');
      return total && total.data.length > 0 ? total.data[total.data.length - 1] : null;
    })()`)) as number | null;

  beforeAll(async () => {
    expect(chromiumInstalled, `Chromium must be installed at ${chromiumPath} when CI is set`).toBe(true);
    await mkdir(artifactsDirectory, { recursive: true });
    app = await startGatewayTestApp(target);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A refused key (401) and an API this control plane lacks (404) are expected; script errors
      // and content security policy violations are not.
      const text = message.text();
      if (message.type() === 'error' && !text.startsWith('Failed to load resource')) {
        pageProblems.push(`console error: ${text}`);
      }
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('refuses a wrong key with a message, then logs in with the admin key and lists the seeded models', async () => {
    const hostileName = '<img src=x onerror="window.injected = true">Lighthouse model';
    const renamed = await adminCall(
      app.base,
      'PATCH',
      `/admin/models/${encodeURIComponent(faultModels.healthyTools)}`,
      { displayName: hostileName },
    );
    expect(renamed.status).toBe(200);

    await page.goto(`${app.base}/?refreshMs=1000`);
    await page.locator('#admin-key').fill('sb_admin_not-a-real-key');
    await page.locator('#login-form button[type=submit]').click();
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: waitMs }).toContain('401');

    await page.locator('#admin-key').fill(testAdminKey);
    await page.locator('#login-form button[type=submit]').click();
    for (const modelId of [faultModels.healthy, faultModels.unavailable, faultModels.neverAnswers]) {
      await page.locator(`#models tr[data-model="${modelId}"]`).waitFor();
    }
    // Registry text is shown as text, never run as markup.
    expect(
      await page.locator(`#models tr[data-model="${faultModels.healthyTools}"]`).textContent(),
    ).toContain(hostileName);
    expect(await page.locator('#models img, #registry-models img').count()).toBe(0);
    expect(await page.evaluate('window.injected === undefined')).toBe(true);
    const healthyRow = page.locator(`#models tr[data-model="${faultModels.healthy}"]`);
    expect(await healthyRow.textContent()).toContain('closed');
    expect(await page.locator('#registry-providers').textContent()).toContain('fault');
    expect(await page.locator('#registry-policies').textContent()).toContain('faults');
    expect(await page.locator('#refresh-status').textContent()).toMatch(/updated/i);
  }, 120_000);

  it('shows new gateway traffic as decisions, and explains one when it is opened', async () => {
    const client = openAiClient(app.base, app.apiKey);
    for (let index = 0; index < 3; index += 1) {
      await client.chat.completions.create({
        model: 'switchboard/auto',
        messages: [{ role: 'user', content: `Describe the lighthouse, take ${index}.` }],
      });
    }
    await expect
      .poll(() => page.locator('#decisions tbody tr').count(), { timeout: waitMs })
      .toBeGreaterThanOrEqual(3);
    expect(await page.locator('#decisions tbody tr').first().textContent()).toContain(faultModels.healthy);
    await expect
      .poll(async () => page.locator(`#models tr[data-model="${faultModels.healthy}"]`).textContent(), {
        timeout: waitMs,
      })
      .toMatch(/\d+ ms/);

    await page.locator('#decisions button.decision-open').first().click();
    const dialog = page.locator('#decision-dialog');
    await dialog.locator('text=Ranked candidates').waitFor();
    const explanation = (await dialog.textContent()) ?? '';
    expect(explanation).toContain(faultModels.healthy);
    expect(explanation).toContain('Rejected');
    expect(explanation).toContain(faultModels.unavailable);
    expect(explanation).toMatch(/temperature [\d.]+, top_p/);
    await page.screenshot({ path: path.join(artifactsDirectory, 'dashboard-decision.png'), fullPage: true });
    await page.locator('#decision-dialog-close').click();
    expect(pageProblems).toEqual([]);
  }, 120_000);

  it('moves the live cost chart and the cost figure after traffic (needs the cost ledger API)', async () => {
    expect(
      await costApiPresent(),
      'GET /admin/analytics/cost answers 404: the cost ledger and its analytics API have not landed yet',
    ).toBe(true);
    await expect.poll(liveTotal, { timeout: waitMs }).not.toBeNull();
    const before = (await liveTotal())!;
    const costBefore = await page.locator('#kpi-cost-today').textContent();
    const client = openAiClient(app.base, app.apiKey);
    for (let index = 0; index < 3; index += 1) {
      await client.chat.completions.create({
        model: faultModels.healthy,
        messages: [{ role: 'user', content: `A long answer about the harbour, please (${index}).` }],
      });
    }
    await expect.poll(liveTotal, { timeout: waitMs }).toBeGreaterThan(before);
    await expect
      .poll(() => page.locator('#kpi-cost-today').textContent(), { timeout: waitMs })
      .not.toBe(costBefore);
    expect(await page.locator('#chart-cost-live-empty').isHidden()).toBe(true);
    await page.screenshot({ path: path.join(artifactsDirectory, 'dashboard-cost.png'), fullPage: true });
  }, 120_000);

  it('logs out, forgetting the key', async () => {
    await page.locator('#logout').click();
    await page.locator('#login-form').waitFor();
    expect(await page.evaluate(`sessionStorage.getItem('switchboard.dashboard.adminKey')`)).toBeNull();
    await page.reload();
    await page.locator('#login-form').waitFor();
    expect(await page.locator('#app-view').isHidden()).toBe(true);
  }, 120_000);
});
