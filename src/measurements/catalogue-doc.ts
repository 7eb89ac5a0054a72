/**
 * The catalogue as the markdown table docs/metrics.md carries between two marker comments, and
 * the splice that puts it there (`npm run docs:metrics`; a unit test fails when they differ).
 */
import { catalogue } from './catalogue.ts';
import type { Placeholder } from './types.ts';

export const CATALOGUE_BEGIN = '<!-- metric-catalogue:begin (generated from src/measurements by `npm run docs:metrics`; edit the measurement modules, not this table) -->';
export const CATALOGUE_END = '<!-- metric-catalogue:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The catalogue table and its placeholder legend, as markdown. */
export function renderCatalogueMarkdown(): string {
  const rows = catalogue().map((e) => `| \`${e.pattern}\` | ${e.unit} | ${e.aggregation} | ${e.measurement} | ${cell(e.description)} |`);
  const placeholders = new Map<string, Placeholder>();
  for (const entry of catalogue()) for (const [name, spec] of Object.entries(entry.placeholders ?? {})) if (!placeholders.has(name)) placeholders.set(name, spec);
  const legend = [...placeholders].map(([name, spec]) => {
    const values = spec.values ? `: ${spec.values.map((v) => `\`${v}\``).join(', ')}` : '';
    return `- \`<${name}>\`${values} — ${cell(spec.description)}`;
  });
  return ['| metric | unit | aggregation | measurement | description |', '| --- | --- | --- | --- | --- |', ...rows, '', ...legend].join('\n');
}

/** `doc` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function spliceCatalogue(doc: string, table: string): string {
  const begin = doc.indexOf(CATALOGUE_BEGIN);
  const end = doc.indexOf(CATALOGUE_END);
  if (begin < 0 || end < begin) throw new Error(`the catalogue markers are missing: put "${CATALOGUE_BEGIN}" and "${CATALOGUE_END}" where the table goes`);
  return `${doc.slice(0, begin + CATALOGUE_BEGIN.length)}\n${table}\n${doc.slice(end)}`;
}

/** The text between the markers (without the newlines around it), or undefined without markers. */
export function catalogueSection(doc: string): string | undefined {
  const begin = doc.indexOf(CATALOGUE_BEGIN);
  const end = doc.indexOf(CATALOGUE_END);
  if (begin < 0 || end < begin) return undefined;
  return doc.slice(begin + CATALOGUE_BEGIN.length, end).replace(/^\n/, '').replace(/\n$/, '');
}
