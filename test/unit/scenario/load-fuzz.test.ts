/**
 * Property-based tests of the scenario loader: any text — random JSON, scenario-shaped documents
 * with random values, the smoke scenario with random edits, YAML fragments glued at random —
 * becomes a valid scenario or a ScenarioError (a UsageError) whose every problem has a position,
 * within a time bound per document; never another exception and never a hang.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

const smoke = readFileSync(join(resolve(import.meta.dirname, '../../../scenarios'), 'smoke.yaml'), 'utf8');
/** Per document; parsing one takes about a millisecond. */
const timeBoundMs = 1_000;

function checkLoads(text: string, overrides: { providerType?: string } = {}): void {
  const started = performance.now();
  try {
    parseScenario(text, 'fuzz.yaml', overrides);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw new Error(`not a ScenarioError for ${JSON.stringify(text.slice(0, 300))}: ${String((error as Error)?.stack ?? error)}`);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(problem.line, problem.message).toBeGreaterThanOrEqual(1);
      expect(problem.col, problem.message).toBeGreaterThanOrEqual(1);
      expect(problem.message.length).toBeGreaterThan(0);
    }
    for (const line of error.message.split('\n')) expect(line).toMatch(/^fuzz\.yaml:\d+:\d+: \S/);
  }
  expect(performance.now() - started, `parsing took too long for ${JSON.stringify(text.slice(0, 300))}`).toBeLessThan(timeBoundMs);
}

const yamlBits = fc.constantFrom(
  '&a ', '*a', '<<: *a', '<<: [*a, *a]', '!!binary ', '!!str ', '!custom ', '? ', '{', '}', '[', ']', ': ', '- ', '\t', '"', "'", '%YAML 1.2\n', '---\n', '...\n',
  '~', 'null', 'true', 'no', '1e999', '0x10', '0o7', '-1', '100000000', '.inf', '.nan', '1_000', '2001-12-14', '|\n  text', '>-\n  folded', '#', '\\u0000', '\u0000', '\ufeff', '💥', '\r\n',
  'name: x', 'apiVersion: fluxbench.io/v1alpha1', 'kind: Scenario', 'workload:', 'apps: 3', 'timeline:', 'at: 5s', 'action: churn.start', 'action: github.fault', 'rate: 0.2',
  '__proto__:', 'constructor:', 'prototype:', 'toString:', 'hasOwnProperty:',
);

/** The smoke scenario with up to 4 random edits: lines deleted, duplicated, re-indented or spliced with YAML bits. */
const mutatedSmoke = fc
  .array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'duplicate', 'indent', 'dedent', 'splice', 'replace'), fc.oneof(yamlBits, fc.string({ maxLength: 12 })), fc.nat()), { minLength: 1, maxLength: 4 })
  .map((edits) => {
    const lines = smoke.split('\n');
    for (const [at, edit, bit, offset] of edits) {
      const i = at % lines.length;
      const line = lines[i]!;
      if (edit === 'delete') lines.splice(i, 1);
      else if (edit === 'duplicate') lines.splice(i, 0, line);
      else if (edit === 'indent') lines[i] = `  ${line}`;
      else if (edit === 'dedent') lines[i] = line.replace(/^ {1,2}/, '');
      else if (edit === 'splice') lines[i] = line.slice(0, offset % (line.length + 1)) + bit + line.slice(offset % (line.length + 1));
      else lines[i] = line.replace(/:\s.*$/, `: ${bit}`);
    }
    return lines.join('\n');
  });

/** Documents with the scenario's keys and random values at every depth. */
const anyValue = fc.jsonValue({ maxDepth: 3 });
const scenarioShaped = fc
  .record(
    {
      name: fc.oneof(fc.constant('fuzz'), anyValue),
      provider: fc.oneof(fc.record({ type: fc.oneof(fc.constantFrom('local', 'kind', 'k3s', 'existing'), anyValue), nodes: anyValue }, { requiredKeys: [] }), anyValue),
      controllers: fc.oneof(fc.record({ kustomize: fc.record({ shards: anyValue, concurrent: anyValue, memoryLimit: anyValue }, { requiredKeys: [] }), helm: anyValue }, { requiredKeys: [] }), anyValue),
      github: fc.oneof(fc.record({ tokens: anyValue, webhooks: fc.record({ targets: fc.array(fc.record({ url: fc.oneof(fc.webUrl(), fc.string()), secret: anyValue }, { requiredKeys: [] })) }, { requiredKeys: [] }), rateLimits: anyValue, faults: anyValue, app: anyValue }, { requiredKeys: [] }), anyValue),
      workload: fc.oneof(
        fc.record({ apps: fc.oneof(fc.integer(), anyValue), teams: anyValue, layout: anyValue, app: fc.record({ manifests: anyValue, bytesPerManifest: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }), graph: anyValue, history: anyValue, helm: anyValue, flux: anyValue }, { requiredKeys: [] }),
        anyValue,
      ),
      timeline: fc.oneof(fc.array(fc.record({ at: fc.oneof(fc.constantFrom('5s', '1m', '-1s', 'soon'), anyValue), action: fc.oneof(fc.constantFrom('churn.start', 'churn.stop', 'github.fault', 'controller.kill', 'nope'), anyValue), rate: anyValue, maxCommits: anyValue, target: anyValue }, { requiredKeys: [] }), { maxLength: 4 }), anyValue),
      duration: fc.oneof(fc.constantFrom('1m', '0s', '-5s', '1h30m', 'forever'), anyValue),
      thresholds: fc.oneof(fc.array(fc.oneof(fc.constantFrom('lag.applied.p95 < 30s', 'nope.metric > 1', 'stalled.count =='), fc.string()), { maxLength: 3 }), anyValue),
      regression: anyValue,
      [fc.string({ maxLength: 6 }) as unknown as string]: anyValue,
    },
    { requiredKeys: [] },
  )
  .chain((doc) => fc.constantFrom(stringify(doc), JSON.stringify(doc), stringify(doc, { indent: 4 })));

describe('the scenario loader, fuzzed', () => {
  it('loads or refuses with positions: random JSON documents', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), (text) => checkLoads(text)), { numRuns: 500 });
  });

  it('loads or refuses with positions: scenario-shaped documents with random values', () => {
    fc.assert(fc.property(scenarioShaped, (text) => checkLoads(text)), { numRuns: 600 });
  });

  it('loads or refuses with positions: the smoke scenario with random edits', () => {
    fc.assert(fc.property(mutatedSmoke, (text) => checkLoads(text)), { numRuns: 1_000 });
  });

  it('loads or refuses with positions: YAML fragments glued at random', () => {
    const glued = fc.array(fc.oneof(yamlBits, fc.string({ maxLength: 6 }), fc.constant('\n'), fc.constant('  ')), { maxLength: 40 }).map((bits) => bits.join(''));
    // `run --provider` rewrites provider.type in the document before validation: it must cope with any document too.
    fc.assert(fc.property(glued, fc.constantFrom(undefined, 'kind'), (text, providerType) => checkLoads(text, providerType ? { providerType } : {})), { numRuns: 1_000 });
  });

  it('refuses alias bombs fast', () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    checkLoads(lol.join('\n'));
    checkLoads(`name: x\nworkload: &w {apps: 1}\nprovider: *w\n${lol.join('\n')}`);
  });

  it('places what the fuzzing found: unresolved aliases, bad merges, multi-line values, exponent durations', () => {
    const message = (text: string) => {
      try {
        parseScenario(text, 'f.yaml');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(message('name: x\nworkload: *nope\n')).toBe('f.yaml:2:11: (yaml): YAML error: Unresolved alias (the anchor must be set before the alias): nope');
    expect(message('name: x\n<<: 1\nworkload: {}\n')).toMatch(/^f\.yaml:1:1: \(yaml\): YAML error: Merge sources must be maps/);
    expect(message('"a\\nb"')).toBe('f.yaml:1:1: (root): expected a mapping, got string "a\\nb"');
    expect(message('name: x\nworkload: {}\nduration: 5e-324\n')).toMatch(/^f\.yaml:3:11: duration: a number of seconds must be plain/);
  });
});
