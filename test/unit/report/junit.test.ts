import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildSummary, renderJunit } from '../../../src/report/index.ts';
import { escapeXml } from '../../../src/report/junit.ts';
import { syntheticRunMeta, syntheticSamples } from './synthetic-run.ts';

interface Case {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_message': string; '@_type': string; '#text': string };
}

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'testsuite' }).parse(xml);
  const suites = doc.testsuites.testsuite as { '@_tests': string; '@_failures': string; testcase: Case[] }[];
  return { doc, suites };
}

describe('renderJunit', () => {
  it('has one testsuite with a testcase per threshold result plus "run completed"', () => {
    const summary = buildSummary(syntheticSamples(), syntheticRunMeta());
    const { suites } = parse(renderJunit(summary));
    expect(suites).toHaveLength(1);
    const cases = suites[0]!.testcase;
    expect(cases).toHaveLength(summary.thresholds.length + 1);
    expect(cases[0]!['@_name']).toBe('run completed');
    expect(cases[0]!.failure).toBeUndefined();
    summary.thresholds.forEach((t, i) => {
      const testcase = cases[i + 1]!;
      expect(testcase['@_name']).toContain(t.expression);
      if (t.ok) expect(testcase.failure).toBeUndefined();
      else expect(testcase.failure!['@_message']).toBe(t.message);
    });
    expect(Number(suites[0]!['@_failures'])).toBe(summary.thresholds.filter((t) => !t.ok).length);
    expect(Number(suites[0]!['@_tests'])).toBe(cases.length);
  });

  it('fails "run completed" on error and timeout, with the error text escaped', () => {
    for (const status of ['error', 'timeout'] as const) {
      const summary = buildSummary([], syntheticRunMeta({ status, error: 'etcd said <nope> & "quit"\u0001', thresholds: [] }));
      const xml = renderJunit(summary);
      const { suites } = parse(xml);
      const completed = suites[0]!.testcase[0]!;
      expect(completed.failure!['@_type']).toBe(status);
      expect(completed.failure!['@_message']).toBe(`run ${status} (exit 1): etcd said <nope> & "quit"`);
      expect(suites[0]!['@_failures']).toBe('1');
    }
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    expect(escapeXml(`a<b>&"c"'d'\u0000\u0007\t`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\t');
  });
});
