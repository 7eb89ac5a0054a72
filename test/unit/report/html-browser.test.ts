/**
 * Renders report.html in real headless Chromium from a file:// URL with the network blocked,
 * and checks it draws: no console or page errors, every chart with data has a canvas with
 * coloured (series) pixels, empty charts say "no data", fault bands are shaded, and the
 * threshold table matches the summary.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSummary, renderHtml, type Summary } from '../../../src/report/index.ts';
import { LATENCY_FAULT, RATELIMIT_FAULT, START_MS, syntheticRunMeta, syntheticSamples, withReadiness } from './synthetic-run.ts';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'fluxbench-html-'));
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  blocked: string[];
}

async function open(name: string, summary: Summary, samples: Parameters<typeof renderHtml>[1]): Promise<Opened> {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, renderHtml(summary, samples));
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) await route.continue();
    else {
      blocked.push(url);
      await route.abort();
    }
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((el) => el.hasAttribute('data-rendered')));
  return { page, errors, requests, blocked };
}

/** Per chart: its state, point count, and counts of painted and strongly coloured canvas pixels. */
async function chartPixels(page: Page) {
  return page.$$eval('.chart', (charts) =>
    charts.map((chart) => {
      const canvas = chart.querySelector('canvas');
      let painted = 0;
      let coloured = 0;
      if (canvas) {
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < pixels.length; i += 4) {
          const [r, g, b, a] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!, pixels[i + 3]!];
          if (a === 0) continue;
          painted++;
          if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured++;
        }
      }
      return {
        id: chart.getAttribute('data-chart')!,
        rendered: chart.getAttribute('data-rendered'),
        points: Number(chart.getAttribute('data-points')),
        hasCanvas: canvas !== null,
        noDataText: chart.querySelector('.no-data')?.textContent ?? null,
        painted,
        coloured,
      };
    }),
  );
}

describe('report.html in headless Chromium', () => {
  const samples = syntheticSamples();
  const summary = buildSummary(samples, syntheticRunMeta());

  it('draws every chart offline, without errors and without network requests', async () => {
    const { page, errors, requests, blocked } = await open('full', summary, samples);
    try {
      expect(errors).toEqual([]);
      expect(blocked).toEqual([]);
      expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
      const charts = await chartPixels(page);
      expect(charts.map((c) => c.id)).toEqual([
        'memory',
        'cpu',
        'workqueue',
        'lag-percentiles',
        'lag-histogram-artifact',
        'lag-histogram-applied',
        'lag-histogram-ready',
        'github-quota',
        'github-errors',
        'objects-ready',
      ]);
      for (const chart of charts) {
        expect(chart.points, chart.id).toBeGreaterThan(0);
        expect(chart.rendered, chart.id).toBe('chart');
        expect(chart.hasCanvas, chart.id).toBe(true);
        expect(chart.coloured, `${chart.id} has series pixels`).toBeGreaterThan(200);
      }
      await page.screenshot({ path: '/tmp/fluxbench-report.png', fullPage: true });
    } finally {
      await page.context().close();
    }
  });

  it('draws the time-to-Ready curve and its tables when the run has readiness samples', async () => {
    const ready = withReadiness(samples);
    const { page, errors } = await open('ready', buildSummary(ready, syntheticRunMeta()), ready);
    try {
      expect(errors).toEqual([]);
      const chart = (await chartPixels(page)).find((c) => c.id === 'time-to-ready')!;
      expect(chart).toMatchObject({ rendered: 'chart', hasCanvas: true });
      expect(chart.coloured, 'series pixels').toBeGreaterThan(200);
      expect(await page.textContent('#time-to-ready tbody tr:first-child')).toMatch(/^all151512.5s27.5s30s0.5Kustomization\/apps\/app-11 \(30s\)/);
      expect(await page.$$eval('#ready-curve tbody tr', (rows) => rows.length)).toBe(10);
    } finally {
      await page.context().close();
    }
  });

  it('shades the fault bands on time charts', async () => {
    const { page } = await open('bands', summary, samples);
    try {
      const probe = await page.evaluate(
        ({ faults, origin }) => {
          const u = (window as unknown as { fluxbenchCharts: Record<string, any> }).fluxbenchCharts['objects-ready'];
          const ctx = (u.ctx as CanvasRenderingContext2D);
          const y = Math.round(u.bbox.top + u.bbox.height * 0.9);
          const at = (seconds: number) => {
            const x = Math.round(u.valToPos(seconds, 'x', true));
            return [...ctx.getImageData(x, y, 1, 1).data];
          };
          return {
            inside: faults.map((f) => at((f.start + f.end) / 2 / 1000 - origin / 1000)),
            outside: at((faults[0]!.start - 30_000) / 1000 - origin / 1000),
          };
        },
        { faults: [LATENCY_FAULT, RATELIMIT_FAULT], origin: START_MS },
      );
      for (const [r, g, b, a] of probe.inside) {
        expect(a).toBeGreaterThan(0);
        expect(r! - g!).toBeGreaterThan(5);
        expect(r! - b!).toBeGreaterThan(5);
      }
      const [r, g, b] = probe.outside;
      expect(Math.abs(r! - g!) + Math.abs(r! - b!)).toBeLessThan(6);
    } finally {
      await page.context().close();
    }
  });

  it('shows the threshold table rows as in the summary', async () => {
    const { page } = await open('thresholds', summary, samples);
    try {
      const rows = await page.$$eval('#thresholds tbody tr', (trs) =>
        trs.map((tr) => ({
          ok: tr.getAttribute('data-ok') === 'true',
          metric: tr.getAttribute('data-metric'),
          mark: tr.querySelector('.mark')!.textContent,
          expression: tr.querySelector('td:nth-child(2)')!.textContent,
          actual: tr.getAttribute('data-actual'),
          message: tr.querySelector('td:nth-child(5)')!.textContent,
        })),
      );
      expect(rows).toEqual(
        summary.thresholds.map((t) => ({
          ok: t.ok,
          metric: t.metric,
          mark: t.ok ? '✓' : '✗',
          expression: t.expression,
          actual: t.actual === undefined ? 'no data' : String(t.actual),
          message: t.message,
        })),
      );
      expect(await page.textContent('#verdict')).toBe('failed');
    } finally {
      await page.context().close();
    }
  });

  it('says "no data" for every chart of an empty run, and escapes hostile text', async () => {
    const hostile = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned=2">';
    const empty = buildSummary([], syntheticRunMeta({ status: 'error', error: hostile, scenarioName: hostile, thresholds: ['lag.applied.p95 < 60s'] }));
    const { page, errors, blocked } = await open('empty', empty, []);
    try {
      expect(errors).toEqual([]);
      expect(blocked).toEqual([]);
      const charts = await chartPixels(page);
      expect(charts.length).toBeGreaterThan(0);
      for (const chart of charts) {
        expect(chart).toMatchObject({ points: 0, rendered: 'no-data', hasCanvas: false, noDataText: 'no data' });
      }
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.textContent('.run-error')).toBe(hostile);
    } finally {
      await page.context().close();
    }
  });
});
