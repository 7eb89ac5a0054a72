import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const scenariosDir = join(import.meta.dirname, '../../../scenarios');
const schema = JSON.parse(readFileSync(join(scenariosDir, 'schema.json'), 'utf8')) as object;
// Formats (uri) are not what editors check here; structure, enums and patterns are.
const validate = new Ajv2020({ strict: false, validateFormats: false, allErrors: true }).compile(schema);

describe('scenarios/schema.json as an editor sees it', () => {
  // Sizing specs (kind: SizingSpec) have their own schema, checked in test/unit/sizing.
  const files = readdirSync(scenariosDir).filter((file) => file.endsWith('.yaml') && !/^kind: SizingSpec$/m.test(readFileSync(join(scenariosDir, file), 'utf8')));

  it.each(files)('accepts the shipped %s', (file) => {
    const valid = validate(parse(readFileSync(join(scenariosDir, file), 'utf8')));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it('accepts numbers for durations and quantities, as the loader does', () => {
    expect(validate({ name: 'n', workload: {}, duration: 90, controllers: { source: { memoryLimit: 1048576 } } })).toBe(true);
  });

  it('rejects unknown keys, bad enums, bad durations and unknown actions', () => {
    expect(validate({ name: 'n', workload: {}, durration: '5m' })).toBe(false);
    expect(validate({ name: 'n', workload: {}, provider: { type: 'kindd' } })).toBe(false);
    expect(validate({ name: 'n', workload: {}, duration: '5x' })).toBe(false);
    expect(validate({ name: 'n', workload: {}, timeline: [{ at: '1m', action: 'churn.begin' }] })).toBe(false);
    expect(validate({ workload: {} })).toBe(false);
  });
});
