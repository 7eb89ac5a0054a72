/**
 * Cost of the scenario verdict path, each as a ratio against a baseline measured in the same run:
 *
 * 1. loading: parseScenario (YAML with positions + zod validation + cross-field checks) of every
 *    shipped scenario vs plain `yaml.parse` of the same text;
 * 2. thresholds: evaluateThresholds with glob thresholds (`memory.*.max < 1Gi`, ...) over a
 *    summary of 5,000 metrics vs the same number of exact-name thresholds;
 * 3. regression: evaluateRegression with glob limits over two 5,000-metric summaries vs diffMetrics
 *    (the plain per-metric delta every compare computes anyway).
 *
 * Every loop is bounded by an iteration count and a time budget.
 * Usage: npm run bench:scenario [-- --budget-ms 2000]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { diffMetrics, evaluateRegression, evaluateThresholds, parseScenario } from '../src/scenario/index.ts';

const { values } = parseArgs({ options: { 'budget-ms': { type: 'string', default: '2000' } } });
const budgetMs = Number(values['budget-ms']);
const maxIterations = 100_000;

/** Mean µs per call of `fn`, run until the iteration cap or the time budget, after a warm-up. */
function measure(fn: () => unknown): { usPerCall: number; iterations: number } {
  for (let i = 0; i < 20; i++) fn();
  const start = performance.now();
  let iterations = 0;
  while (iterations < maxIterations && performance.now() - start < budgetMs) {
    fn();
    iterations++;
  }
  return { usPerCall: ((performance.now() - start) * 1000) / iterations, iterations };
}

function report(name: string, baselineName: string, subject: () => unknown, baseline: () => unknown): void {
  const base = measure(baseline);
  const sub = measure(subject);
  console.log(
    `${name.padEnd(34)} ${sub.usPerCall.toFixed(1).padStart(10)} µs/op (${sub.iterations} ops)  vs ${baselineName} ${base.usPerCall.toFixed(1)} µs/op  ratio ${(sub.usPerCall / base.usPerCall).toFixed(2)}x`,
  );
}

const scenariosDir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const files = readdirSync(scenariosDir).filter((file) => file.endsWith('.yaml'));
const texts = files.map((file) => [file, readFileSync(join(scenariosDir, file), 'utf8')] as const);

report(
  `load ${files.length} shipped scenarios`,
  'yaml.parse',
  () => texts.map(([file, text]) => parseScenario(text, file)),
  () => texts.map(([, text]) => parse(text) as unknown),
);

const controllers = Array.from({ length: 1000 }, (_, i) => `controller-${i}`);
const summary: Record<string, number> = {};
for (const controller of controllers) {
  for (const stat of ['max', 'avg', 'last', 'p95', 'count']) summary[`memory.${controller}.${stat}`] = Math.random() * 2 ** 30;
}
const globThresholds = ['memory.*.max < 1Gi', 'memory.*.avg < 1Gi', 'memory.*.p95 < 1Gi'];
const exactThresholds = controllers.flatMap((controller) => ['max', 'avg', 'p95'].map((stat) => `memory.${controller}.${stat} < 1Gi`));
report(
  `thresholds: 3 globs → ${exactThresholds.length} checks`,
  `${exactThresholds.length} exact`,
  () => evaluateThresholds(globThresholds, summary),
  () => evaluateThresholds(exactThresholds, summary),
);

const current = Object.fromEntries(Object.entries(summary).map(([name, value]) => [name, value * 1.1]));
report(
  'regression: 3 glob limits, 5k metrics',
  'diffMetrics',
  () => evaluateRegression(summary, current, { 'memory.*.max': '+15%', 'memory.*.avg': '+15%', 'memory.*.p95': '+20%' }),
  () => diffMetrics(summary, current),
);
