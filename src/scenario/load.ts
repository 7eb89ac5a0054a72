/**
 * Loading scenario files (and scenario objects written in TypeScript) with errors that say
 * where: `<file>:<line>:<col>: <field.path>: <message> (allowed: ...)`, one line per problem,
 * positioned at the offending node or, for a missing field, at its nearest existing parent.
 */
import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { UsageError } from '../util/exit-codes.ts';
import { describeIssues, type FieldIssue } from './issues.ts';
import { scenarioSchema, type Scenario, type ScenarioInput } from './schema.ts';
import { formatPath } from '../util/zod-issues.ts';
import type { ScenarioSetting } from './settings.ts';

export interface ScenarioProblemReport {
  file: string;
  /** 1-based; absent when the source has no positions (defineScenario). */
  line?: number;
  col?: number;
  /** e.g. "timeline[2].action"; "(root)" for the document itself. */
  field: string;
  message: string;
  allowed?: string[];
}

/** A scenario that failed to load; `problems` has one entry per finding, the message one line each. */
export class ScenarioError extends UsageError {
  constructor(readonly problems: ScenarioProblemReport[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}

export function formatProblem(problem: ScenarioProblemReport): string {
  const where = problem.line !== undefined ? `${problem.file}:${problem.line}:${problem.col ?? 1}` : problem.file;
  const allowed = problem.allowed && problem.allowed.length > 0 ? ` (allowed: ${problem.allowed.join(', ')})` : '';
  // One line per problem, whatever the file's keys and values hold.
  return `${where}: ${problem.field}: ${problem.message}${allowed}`.replace(/\r?\n|\r/g, '\\n');
}

/** Command-line overrides applied to the document before it is validated, so they are checked like the file. */
export interface ScenarioOverrides {
  /** `run --provider`: provider.type (the file's provider-specific fields must still fit it). */
  providerType?: string;
  /** Fields set from the command line (`ab --a/--b`), in order, after providerType. */
  settings?: readonly ScenarioSetting[];
}

/** Reads and validates a scenario file. Throws ScenarioError (a UsageError) listing every problem. */
export function loadScenario(path: string, overrides: ScenarioOverrides = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ScenarioError([{ file: path, field: '(root)', message: `cannot read scenario: ${reason}` }]);
  }
  return parseScenario(text, path, overrides);
}

/** Validates scenario YAML text; `file` names it in error messages. */
export function parseScenario(text: string, file = '<input>', overrides: ScenarioOverrides = {}): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, col, field: '(yaml)', message: `YAML syntax error: ${error.message.split('\n')[0]}` };
      }),
    );
  }
  if (overrides.providerType !== undefined || (overrides.settings ?? []).length > 0) {
    if (doc.contents !== null && !isMap(doc.contents)) throw new ScenarioError([{ file, line: 1, col: 1, field: '(root)', message: 'expected a mapping of scenario fields' }]);
    if (overrides.providerType !== undefined) doc.setIn(['provider', 'type'], overrides.providerType);
    for (const setting of overrides.settings ?? []) applySetting(doc, setting, file);
  }
  const data = documentData(doc, lineCounter, file);
  const result = scenarioSchema.safeParse(data);
  if (result.success) return result.data;
  const problems: ScenarioProblemReport[] = describeIssues(result.error.issues, data, scenarioSchema).map((issue) => {
    // A field set on the command line has no place in the file: name the setting instead.
    const setting = [...(overrides.settings ?? [])].reverse().find((s) => s.path.every((key, i) => String(issue.path[i]) === String(key)));
    return {
      file,
      ...(setting ? {} : positionOf(doc, lineCounter, issue)),
      field: formatPath(issue.path),
      message: setting ? `${issue.message} (set on the command line: ${setting.text})` : issue.message,
      ...(issue.allowed ? { allowed: issue.allowed } : {}),
    };
  });
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  throw new ScenarioError(problems);
}

/** Sets one field; a path through a scalar (setting `duration.x`) is refused naming the setting. */
function applySetting(doc: Document, setting: ScenarioSetting, file: string): void {
  try {
    doc.setIn(setting.path, doc.createNode(setting.value));
  } catch (error) {
    throw new ScenarioError([{ file, field: setting.path.join('.'), message: `cannot set ${setting.text}: ${(error as Error).message}` }]);
  }
}

/**
 * The document as plain data. Aliases and merge keys are resolved here, so an alias to an anchor
 * that does not exist (yet), so many aliases that they would expand without bound (a "billion
 * laughs" document) or a merge of a non-mapping are refused here (placed at the first alias).
 */
function documentData(doc: Document, lineCounter: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, col } = lineCounter.linePos(offset);
    throw new ScenarioError([{ file, line, col, field: '(yaml)', message: `YAML error: ${(error as Error).message}` }]);
  }
}

/** For scenarios written in TypeScript: the same schema and defaults, the same error style. */
export function defineScenario(input: ScenarioInput): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ScenarioError(
    describeIssues(result.error.issues, input, scenarioSchema).map((issue) => ({
      file: '<defineScenario>',
      field: formatPath(issue.path),
      message: issue.message,
      ...(issue.allowed ? { allowed: issue.allowed } : {}),
    })),
  );
}

/**
 * The 1-based line and column of the field at `path` in scenario YAML text (or of its nearest
 * ancestor present in the file, for a defaulted field), for messages about a scenario that
 * loaded (feasibility warnings).
 */
export function fieldPosition(text: string, path: readonly PropertyKey[]): { line: number; col: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  return lineCounter.linePos(nearestNodeOffset(doc, path));
}

function positionOf(doc: Document, lineCounter: LineCounter, issue: FieldIssue): { line: number; col: number } {
  const offset = issue.atKey ? keyOffset(doc, issue.path) : undefined;
  return lineCounter.linePos(offset ?? nearestNodeOffset(doc, issue.path));
}

/** Offset of the key node of the last path segment (for unknown and invalid keys). */
function keyOffset(doc: Document, path: readonly PropertyKey[]): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const name = String(path.at(-1));
  const pair = parent.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === name);
  return isNode(pair?.key) ? pair.key.range?.[0] : undefined;
}

/** Offset of the node at `path`, or of its nearest ancestor that exists in the document. */
function nearestNodeOffset(doc: Document, path: readonly PropertyKey[]): number {
  for (let length = path.length; length > 0; length--) {
    const node: unknown = doc.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : 0;
}
