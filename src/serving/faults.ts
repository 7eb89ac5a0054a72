import type { SampleSink } from '../metrics/sample.ts';
import { globToRegExp } from '../util/glob.ts';
import type { Clock } from './clock.ts';
import { durationMs } from './fields.ts';
import type { BaseFaultSpec } from './fault-spec.ts';

export interface ActiveFault<S extends BaseFaultSpec = BaseFaultSpec> {
  id: string;
  spec: S;
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

export const noFault: FaultDecision = { reset: false, delayMs: 0 };

/**
 * A host's run-time controls over its faults, as its admin API offers them. `I` is the raw spec
 * (durations as "250ms" or seconds); each control validates it and throws UsageError naming the
 * field, which the admin HTTP API answers with 422.
 */
export interface FaultControls<S extends BaseFaultSpec, I> {
  addFault(spec: I): ActiveFault<S>;
  /** False when no fault has that id (already removed or expired). */
  removeFault(id: string): boolean;
  clearFaults(): void;
  /** Replaces every fault, all validated before any is changed. */
  setFaults(specs: I[]): ActiveFault<S>[];
  faults(): ActiveFault<S>[];
}

/** The admin controls over `faults`, for a host's admin handle. */
export function faultControls<S extends BaseFaultSpec, I>(faults: FaultController<S, I>): FaultControls<S, I> {
  return {
    addFault: (spec) => faults.add(spec),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    setFaults: (specs) => faults.replace(specs),
    faults: () => faults.list(),
  };
}

/** How one host's fault specs are read: parsed, matched beyond the route, and named in samples. */
export interface FaultBinding<S extends BaseFaultSpec> {
  /** @throws UsageError naming the field under `where`. */
  parse(input: unknown, where?: string): S;
  /** The glob over the host's second subject (`owner/repo`, a repository name). */
  subject(spec: S): string;
  /** The `target` label of the fault's samples. */
  target(spec: S): string;
}

export interface FaultControllerOptions {
  /** Source of randomness for rates and jitter (tests pin it). */
  random?: () => number;
  /** Labels added to every `fault` sample (the registry's `host`). */
  labels?: Record<string, string>;
  /** Prefix of fault ids, so hosts sharing one sample stream do not reuse an id. */
  idPrefix?: string;
}

interface Rule<S extends BaseFaultSpec> extends ActiveFault<S> {
  route: RegExp;
  subject: RegExp;
  timer?: NodeJS.Timeout;
}

/**
 * The faults in force on one host, changeable at run time, matched per request by route name
 * and one subject name (globs). Every change is written as a `fault` sample (start when added,
 * end when removed or expired) so reports can draw each fault as a band.
 */
export class FaultController<S extends BaseFaultSpec, I = unknown> {
  private readonly rules = new Map<string, Rule<S>>();
  private nextId = 1;
  private readonly random: () => number;
  private readonly labels: Record<string, string>;
  private readonly idPrefix: string;

  constructor(
    private readonly binding: FaultBinding<S>,
    private readonly clock: Clock,
    private readonly sink?: SampleSink,
    options: FaultControllerOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.labels = options.labels ?? {};
    this.idPrefix = options.idPrefix ?? 'f';
  }

  /** Adds a fault from raw input (durations as "250ms" or seconds), validating it. */
  add(input: I): ActiveFault<S> {
    return this.addParsed(this.binding.parse(input));
  }

  /** Adds an already-parsed fault (durations as validated strings). */
  addParsed(spec: S): ActiveFault<S> {
    const now = this.clock.now();
    const until = spec.until ?? (spec.for !== undefined ? now + durationMs(spec.for) : undefined);
    const rule: Rule<S> = {
      id: `${this.idPrefix}${this.nextId++}`,
      spec,
      addedAt: now,
      ...(until !== undefined ? { until } : {}),
      route: globToRegExp(spec.match.route),
      subject: globToRegExp(this.binding.subject(spec)),
    };
    if (until !== undefined) {
      rule.timer = setTimeout(() => this.end(rule.id), Math.max(0, until - now));
      rule.timer.unref();
    }
    this.rules.set(rule.id, rule);
    this.sink?.write({ ts: now, kind: 'fault', name: 'start', labels: this.sampleLabels(spec), detail: { id: rule.id, ...spec, ...(until !== undefined ? { until } : {}) } });
    return this.view(rule);
  }

  remove(id: string): boolean {
    return this.end(id);
  }

  clear(): void {
    for (const id of [...this.rules.keys()]) this.end(id);
  }

  /** Replaces every fault by `inputs`, all validated before any is changed. */
  replace(inputs: I[]): ActiveFault<S>[] {
    const specs = inputs.map((input, i) => this.binding.parse(input, `faults[${i}]`));
    this.clear();
    return specs.map((spec) => this.addParsed(spec));
  }

  list(): ActiveFault<S>[] {
    this.expire();
    return [...this.rules.values()].map((rule) => this.view(rule));
  }

  /** What the faults matching `route` and `subject` do to one request (rates drawn now). */
  decide(route: string, subject: string): FaultDecision {
    const decision: FaultDecision = { reset: false, delayMs: 0 };
    if (this.rules.size === 0) return decision;
    this.expire();
    for (const rule of this.rules.values()) {
      if (!rule.route.test(route) || !rule.subject.test(subject)) continue;
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
    this.sink?.write({ ts, kind: 'fault', name: 'end', labels: this.sampleLabels(rule.spec), detail: { id } });
    return true;
  }

  private sampleLabels(spec: S): Record<string, string> {
    return { fault: spec.type, target: this.binding.target(spec), ...this.labels };
  }

  private view(rule: Rule<S>): ActiveFault<S> {
    return { id: rule.id, spec: rule.spec, addedAt: rule.addedAt, ...(rule.until !== undefined ? { until: rule.until } : {}) };
  }
}
