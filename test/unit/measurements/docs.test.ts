import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueSection, renderCatalogueMarkdown, spliceCatalogue, CATALOGUE_BEGIN, CATALOGUE_END } from '../../../src/measurements/catalogue-doc.ts';
import { catalogue } from '../../../src/measurements/catalogue.ts';

const docPath = join(import.meta.dirname, '../../../docs/metrics.md');

describe('docs/metrics.md', () => {
  it('carries the catalogue table the measurement modules generate', () => {
    const section = catalogueSection(readFileSync(docPath, 'utf8'));
    expect(section, `docs/metrics.md lacks the markers ${CATALOGUE_BEGIN} … ${CATALOGUE_END}`).toBeDefined();
    expect(section, 'docs/metrics.md: the metric catalogue table is out of date; run `npm run docs:metrics`').toBe(renderCatalogueMarkdown());
  });

  it('renders one row per catalogue entry and splices between the markers only', () => {
    const table = renderCatalogueMarkdown();
    expect(table.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(catalogue().length);
    expect(table).toContain('| `lag.<stage>.p95` | seconds | p95 | lag |');
    expect(table).toContain('- `<stage>`: `artifact`, `applied`, `ready`');
    const doc = `intro\n${CATALOGUE_BEGIN}\nold table\n${CATALOGUE_END}\noutro\n`;
    const spliced = spliceCatalogue(doc, 'new table');
    expect(spliced).toBe(`intro\n${CATALOGUE_BEGIN}\nnew table\n${CATALOGUE_END}\noutro\n`);
    expect(catalogueSection(spliced)).toBe('new table');
    expect(() => spliceCatalogue('no markers', 'x')).toThrow(/markers are missing/);
  });
});
