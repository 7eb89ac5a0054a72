import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitYaml } from '../../../src/workload/yaml-emit.ts';
import { SeededRandom } from '../../../src/workload/random.ts';

const awkward = ['', 'true', 'No', 'null', '~', '0.1.0', '1m', '-x', 'a: b', '# c', 'http://127.0.0.1:8080/x.git', 'line\nbreak', ' lead', 'trail ', '"q"', "'s'", '{x}', '[y]', '*ref', '&anchor', '!tag', '%d', '@at', 'ünïcode', 'tab\there', '\u2028', 'y', 'ok-name', './apps/team-1', 'app.kubernetes.io/name'];

function randomValue(random: SeededRandom, depth: number): unknown {
  const pick = random.int(depth > 3 ? 4 : 7);
  switch (pick) {
    case 0:
      return awkward[random.int(awkward.length)];
    case 1:
      return random.int(2000) - 1000;
    case 2:
      return random.next() < 0.5;
    case 3:
      return random.int(1000) / 7;
    case 4:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default: {
      const map: Record<string, unknown> = {};
      for (let i = random.int(4); i > 0; i--) map[awkward[random.int(awkward.length)]!] = randomValue(random, depth + 1);
      return map;
    }
  }
}

describe('emitYaml', () => {
  it('writes manifests a YAML parser reads back identically', () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' } },
      data: { generation: '1', replicas: '3', payload: 'abc\ndef', empty: '' },
      list: [{ name: 'a', port: 80 }, [], {}, ['nested', { deep: true }]],
    };
    expect(parse(emitYaml(manifest))).toEqual(manifest);
  });

  it('round-trips 500 random documents full of awkward strings', () => {
    const random = new SeededRandom('emit');
    for (let i = 0; i < 500; i++) {
      const doc: Record<string, unknown> = { root: randomValue(random, 0), [awkward[i % awkward.length]!]: randomValue(random, 0) };
      const text = emitYaml(doc);
      expect(parse(text), text).toEqual(doc);
    }
  });

  it('refuses values YAML manifests cannot hold', () => {
    expect(() => emitYaml({ n: Number.NaN })).toThrow(/cannot write number/);
    expect(() => emitYaml({ f: () => 1 })).toThrow(/cannot write function/);
  });
});
