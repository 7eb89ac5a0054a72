/**
 * `npm run docs:metrics`: writes the metric catalogue table into docs/metrics.md between its
 * marker comments, keeping the prose around it. Rewrites that one file in place.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogue } from './catalogue.ts';
import { renderCatalogueMarkdown, spliceCatalogue } from './catalogue-doc.ts';

const path = fileURLToPath(new URL('../../docs/metrics.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = spliceCatalogue(before, renderCatalogueMarkdown());
if (after === before) {
  console.log(`docs/metrics.md: the catalogue table is up to date (${catalogue().length} entries)`);
} else {
  writeFileSync(path, after);
  console.log(`docs/metrics.md: catalogue table written (${catalogue().length} entries)`);
}
