import type { SampleSink } from '../metrics/sample.ts';
import type { Clock } from './clock.ts';
import { globToRegExp } from './names.ts';
import { durationMs, faultSpecSchema, type FaultSpec, type FaultSpecInput } from './options.ts';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';

export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  addedAt: number;
  /** ms since epoch when it ends by itself; undefined = until removed. */
  until?: number;
}

/** What the faults in force do to one request. */
export interface FaultDecision {
  /** Destroy the socket without answering. */
  reset: boolean;
  /** Answer with this 5xx instead of handling. */
  status?: number;
  /** Wait this long before handling. */
  delayMs: number;
  /** Throttle the response body to this rate. */
  bytesPerSecond?: number;
}

interface Rule extends ActiveFault {
  route: RegExp;
  repo: RegExp;
  timer?: NodeJS.Timeout;
}

/** Parses a fault from scenario/admin input, naming the field on failure. */
export function parseFaultSpec(input: unknown, where = 'fault'): FaultSpec {
  const parsed = faultSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error.issues, { root: where });
    throw new UsageError(`invalid fault: ${issues.join('; ')} (type is one of latency, error, reset, outage, bandwidth)`);
  }
  return parsed.data;
}

export function faultTarget(spec: FaultSpec): string {
  return spec.match.repo === '*' ? spec.match.route : `${spec.match.route}@${spec.match.repo}`;
}

/**
 * The faults in force, changeable at run time. Every change is written as a `fault` sample
 * (start when added, end when removed or expired) so reports can draw each fault as a band.
 */
export class FaultController {
  private readonly rules = new Map<string, Rule>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly sink?: SampleSink,
    private readonly random: () => number = Math.random,
  ) {}

  /** Adds a fault from raw input (durations as "250ms" or seconds), validating it. */
  add(input: FaultSpecInput): ActiveFault {
    return this.addParsed(parseFaultSpec(input));
  }

  /** Adds an already-parsed fault (durations in ms). */
  addParsed(spec: FaultSpec): ActiveFault {
    const now = this.clock.now();
    const until = spec.until ?? (spec.for !== undefined ? now + durationMs(spec.for) : undefined);
    const rule: Rule = {
      id: `f${this.nextId++}`,
      spec,
      addedAt: now,
      ...(until !== undefined ? { until } : {}),
      route: globToRegExp(spec.match.route),
      repo: globToRegExp(spec.match.repo),
    };
    if (until !== undefined) {
      rule.timer = setTimeout(() => this.end(rule.id), Math.max(0, until - now));
      rule.timer.unref();
    }
    this.rules.set(rule.id, rule);
    this.sink?.write({ ts: now, kind: 'fault', name: 'start', labels: { fault: spec.type, target: faultTarget(spec) }, detail: { id: rule.id, ...spec, ...(until !== undefined ? { until } : {}) } });
    return this.view(rule);
  }

  remove(id: string): boolean {
    return this.end(id);
  }

  clear(): void {
    for (const id of [...this.rules.keys()]) this.end(id);
  }

  replace(inputs: FaultSpecInput[]): ActiveFault[] {
    const specs = inputs.map((input, i) => parseFaultSpec(input, `faults[${i}]`));
    this.clear();
    return specs.map((spec) => this.addParsed(spec));
  }

  list(): ActiveFault[] {
    this.expire();
    return [...this.rules.values()].map((rule) => this.view(rule));
  }

  decide(route: string, repo: string): FaultDecision {
    const decision: FaultDecision = { reset: false, delayMs: 0 };
    if (this.rules.size === 0) return decision;
    this.expire();
    for (const rule of this.rules.values()) {
      if (!rule.route.test(route) || !rule.repo.test(repo)) continue;
      const spec = rule.spec;
      switch (spec.type) {
        case 'outage':
          decision.status ??= spec.status;
          break;
        case 'reset':
          if (this.random() < spec.rate) decision.reset = true;
          break;
        case 'error':
          if (decision.status === undefined && this.random() < spec.rate) decision.status = spec.status;
          break;
        case 'latency':
          decision.delayMs += durationMs(spec.fixed) + this.random() * durationMs(spec.jitter);
          break;
        case 'bandwidth':
          decision.bytesPerSecond = Math.min(decision.bytesPerSecond ?? Infinity, spec.bytesPerSecond);
          break;
      }
    }
    return decision;
  }

  /** Ends every fault (writing its end sample) and drops timers. */
  stop(): void {
    this.clear();
  }

  private expire(): void {
    const now = this.clock.now();
    for (const rule of [...this.rules.values()]) if (rule.until !== undefined && rule.until <= now) this.end(rule.id);
  }

  private end(id: string): boolean {
    const rule = this.rules.get(id);
    if (!rule) return false;
    this.rules.delete(id);
    if (rule.timer) clearTimeout(rule.timer);
    const ts = rule.until !== undefined ? Math.min(this.clock.now(), rule.until) : this.clock.now();
    this.sink?.write({ ts, kind: 'fault', name: 'end', labels: { fault: rule.spec.type, target: faultTarget(rule.spec) }, detail: { id } });
    return true;
  }

  private view(rule: Rule): ActiveFault {
    return { id: rule.id, spec: rule.spec, addedAt: rule.addedAt, ...(rule.until !== undefined ? { until: rule.until } : {}) };
  }
}
