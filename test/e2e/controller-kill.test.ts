import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findMetric } from '../../src/measurements/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

describe('a controller killed mid-run', () => {
  it('is restarted by the supervisor, and the restart and the gap show in samples and reports', async () => {
    const scenario = defineScenario({
      name: 'kill-e2e',
      controllers: { kustomize: { requeueDependency: '5s' } },
      workload: { layout: 'monorepo', teams: 1, apps: 2, seed: 3, flux: { auth: 'basic', sourceInterval: '5s', interval: '1m' } },
      timeline: [
        { at: '1s', action: 'churn.start', rate: 0.5, maxCommits: 8 },
        { at: '6s', action: 'controller.kill', controller: 'kustomize-controller' },
        { at: '15s', action: 'artifact.slow', bytesPerSecond: '64Ki', latency: '500ms', duration: '10s' },
      ],
      duration: '35s',
      sampling: { interval: '1s' },
      settle: { timeout: '2m' },
      thresholds: ['restarts.kustomize-controller.count == 1', 'restarts.source-controller.count == 0', 'lag.applied.count > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-kill-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['restarts.kustomize-controller.count == 1', true],
      ['restarts.source-controller.count == 0', true],
      ['lag.applied.count > 0', true],
    ]);
    expect(result.exitCode).toBe(0);
    // Every summary metric of a real run is one the catalogue describes (and thresholds are checked against).
    const metrics = result.summary!.metrics;
    expect(Object.keys(metrics).filter((name) => findMetric(name).length !== 1)).toEqual([]);
    // The go-process measurement reads the controllers' Go collectors from the same scrape.
    expect(metrics['goroutines.kustomize-controller.max']).toBeGreaterThan(10);
    expect(metrics['fds.source-controller.max']).toBeGreaterThan(5);

    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    // The run reads as its phases: each phase sample once, in order.
    expect(samples.filter((s) => s.kind === 'phase').map((s) => s.name)).toEqual(['github', 'provision', 'flux', 'generate', 'apply', 'settle', 'measure', 'verdict', 'teardown']);
    // The harness measurement reads this process from the settle phase until the samplers stop
    // at the teardown: some CPU, the main thread's no more than one core, a Node process's memory.
    expect(metrics['harness.cpu.avg']).toBeGreaterThan(0);
    expect(metrics['harness.main_thread.cpu.avg']).toBeGreaterThan(0);
    expect(metrics['harness.main_thread.cpu.avg']).toBeLessThanOrEqual(1.05);
    expect(metrics['harness.memory.max']).toBeGreaterThan(50 * 2 ** 20);
    const phaseAt = (name: string) => samples.find((s) => s.kind === 'phase' && s.name === name)!.ts;
    const harnessReadings = samples.filter((s) => s.kind === 'harness' && s.name === 'cpu_seconds_total');
    expect(harnessReadings[0]!.ts).toBeLessThanOrEqual(phaseAt('settle'));
    expect(harnessReadings.at(-1)!.ts).toBeGreaterThanOrEqual(phaseAt('teardown'));
    const kustomize = (s: Sample) => s.labels?.controller === 'kustomize-controller';
    const exit = samples.find((s) => s.kind === 'process' && s.name === 'exit' && kustomize(s) && s.detail?.cause === 'killed');
    expect(exit, 'the kill is recorded as an exit with cause killed').toBeDefined();
    const restart = samples.find((s) => s.kind === 'process' && s.name === 'restart' && kustomize(s));
    expect(restart!.ts).toBeGreaterThan(exit!.ts);
    const fault = samples.find((s) => s.kind === 'fault' && s.name === 'start' && s.labels?.target === 'kustomize-controller');
    expect(fault).toBeDefined();
    // The slow-artifact fault is a band: a start and an end 10 s later.
    const slow = samples.filter((s) => s.kind === 'fault' && s.labels?.fault === 'artifact.slow');
    expect(slow.map((s) => s.name)).toEqual(['start', 'end']);
    expect(slow[1]!.ts - slow[0]!.ts).toBeGreaterThanOrEqual(9_000);

    // The gap: reconcile counters of the old process stop, the new process starts from zero.
    const reconciles = samples.filter((s) => s.kind === 'controller' && s.name === 'reconcile_total' && kustomize(s));
    const before = reconciles.filter((s) => s.ts < exit!.ts).at(-1);
    const after = reconciles.filter((s) => s.ts > restart!.ts)[0];
    expect(before!.value!).toBeGreaterThan(0);
    expect(after!.value!).toBeLessThan(before!.value!);
    const gapMs = after!.ts - before!.ts;
    expect(gapMs).toBeGreaterThan(1_000); // at least the supervisor's first back-off

    const markdown = readFileSync(join(result.runDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/kustomize-controller[^\n]*killed/);
    const html = readFileSync(join(result.runDir, 'report.html'), 'utf8');
    expect(html).toContain('controller.kill');

    // The real run's report renders offline in headless Chromium, its time charts drawn from data.
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
      await page.goto(pathToFileURL(join(result.runDir, 'report.html')).href);
      await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((el) => el.hasAttribute('data-rendered')));
      const charts = await page.$$eval('.chart', (els) => els.map((el) => [el.getAttribute('data-chart'), el.getAttribute('data-rendered')]));
      expect(errors).toEqual([]);
      const rendered = Object.fromEntries(charts);
      expect(rendered).toMatchObject({ memory: 'chart', cpu: 'chart' });
      expect(Object.values(rendered)).not.toContain('error');
    } finally {
      await browser.close();
    }
  });
});
