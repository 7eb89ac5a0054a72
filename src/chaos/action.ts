/**
 * The shape of a chaos (timeline) action, after k6's executors: one module per action holding
 * its schema, its validation, its label and target, how long its effect lasts, what the
 * provider must offer, and how it is carried out. src/chaos/registry.ts lists the modules;
 * planning, validation and the executor only ever go through a definition.
 */
import type { z } from 'zod';
import type { ProviderCapabilities, ProviderCapability } from '../providers/capabilities.ts';
import type { SourceHostServer } from '../sources/types.ts';
import { formatDuration, parseDuration } from '../util/units.ts';
import type { ControllerName } from './fields.ts';
import type { ChaosRunState } from './state.ts';
import type { ChaosTargets } from './targets.ts';

/** What every action has: its offset (a validated duration string) and its name. */
export interface BaseAction {
  at: string;
  action: string;
}

/** A strict object (or a union of them, like github.fault's) with `at` and an `action` literal. */
export type ActionSchema = z.ZodType<BaseAction> & z.core.$ZodTypeDiscriminable;

export interface PlannedActionOf<A extends BaseAction> {
  /** Position of the action in the scenario's `timeline`. */
  index: number;
  action: A;
  /** Offset from the start of the measure phase, ms. */
  atMs: number;
  /** When the action's effect ends (faults, pauses, churn, suspensions), ms; absent for instant actions. */
  endMs?: number;
  /** Short human label, e.g. "github.fault latency" or "controller.kill kustomize-controller". */
  label: string;
}

/**
 * Every action's parsed type by its name. Each action file adds its own entry through declaration
 * merging (`declare module '../action.ts'`), so this file never imports the actions: the
 * registry imports them, and the types flow one way.
 */
export interface ChaosActionTypes {}

/** A timeline action of any kind. */
export type TimelineAction = ChaosActionTypes[keyof ChaosActionTypes];

/** A planned action of any kind. */
export type PlannedAction = PlannedActionOf<TimelineAction>;

/** Ends an action's effect (removes the fault, resumes the component). */
export type Undo = () => Promise<void>;

/** The provider a scenario runs on, as validation sees it. */
export interface ProviderContext {
  type: string;
  capabilities: ProviderCapabilities;
  /** Provider types that have `capability`, to name them in a refusal. */
  typesWith(capability: ProviderCapability): readonly string[];
}

/** The scenario's source kind (`workload.source`), as validation sees it. */
export interface SourceContext {
  kind: string;
  /** The servers its host runs. */
  servers: readonly SourceHostServer[];
  /** Source kinds whose host runs `server`, to name them in a refusal. */
  kindsWith(server: SourceHostServer): readonly string[];
}

/** What planning needs to know about the scenario; built by src/scenario from the scenario file. */
export interface ChaosContext {
  /** Length of the measure phase, ms. */
  durationMs: number;
  /** Controllers the run starts. */
  controllers: readonly ControllerName[];
  /** Shard instances beside the main one (shard 0), per controller; absent or 0 = not sharded. */
  shards: Readonly<Partial<Record<ControllerName, number>>>;
  /** The scenario's provider; when absent, `requires` is not checked (planning only). */
  provider?: ProviderContext;
  /** The scenario's source kind; when absent, `server` is not checked (planning only). */
  source?: SourceContext;
  /** The scenario's spoke clusters by name (fleet.spokes); none without a fleet. */
  spokes?: readonly string[];
}

/** A validation context with the actions planned before this one (same offset: earlier in the file). */
export interface ProblemContext extends ChaosContext {
  earlier: readonly PlannedAction[];
}

/** Why an action cannot run as written; `field` is the offending field of the action, none for the whole action. */
export interface ActionProblem {
  field?: string;
  message: string;
  allowed?: string[];
}

export interface ChaosActionDefinition<S extends ActionSchema = ActionSchema> {
  /** The `action` value selecting this definition; equal to the schema's `action` literal. */
  readonly name: z.output<S>['action'];
  /** Strict object(s) with `at` and the `action` literal; the timeline schema is the union of these. */
  readonly schema: S;
  /** What the scenario's provider must offer; validation refuses the action on a provider lacking one. */
  readonly requires: readonly ProviderCapability[];
  /**
   * The source host's server it acts on (`targets.registry`); validation refuses the action when
   * the scenario's source kind runs no such server. Absent for actions on the cluster or Flux.
   */
  readonly server?: SourceHostServer;
  /**
   * The effect goes on after start() returns without an undo, and something else ends it (a
   * churn runs until churn.stop or the run's end): no `end` fault sample follows its start.
   */
  readonly detached?: boolean;
  /** When the run stops, end this effect before every other (nothing can be undone while etcd is frozen). */
  readonly endsFirst?: boolean;
  /** Short label for logs and reports, e.g. "controller.kill kustomize-controller#1". */
  label(action: z.output<S>): string;
  /** What the action acts on: the `target` label of its fault samples. */
  target(action: z.output<S>): string;
  /**
   * When its effect ends (ms from the start of the measure phase), or undefined for an instant
   * action. `later` are the actions planned after it; `durationMs` the end of the measure phase.
   */
  endMs?(planned: PlannedActionOf<z.output<S>>, later: readonly PlannedAction[], durationMs: number): number | undefined;
  /** Checks beyond the schema that need the scenario (controllers, shards, other actions). */
  problems?(planned: PlannedActionOf<z.output<S>>, context: ProblemContext): ActionProblem[];
  /**
   * Carries the action out against the live run; resolves with what ends its effect (undefined
   * for instant or detached actions). Throws when the action cannot be applied; the executor
   * records a `failed` fault sample and goes on with the timeline.
   */
  start(action: z.output<S>, planned: PlannedActionOf<z.output<S>>, targets: ChaosTargets, state: ChaosRunState): Promise<Undo | undefined>;
}

/** "<label> at <offset>", how messages name an action. */
export function atText(planned: Pick<PlannedAction, 'label' | 'atMs'>): string {
  return `${planned.label} at ${formatDuration(planned.atMs)}`;
}

/** The end of an effect with an optional `duration`: after it, or at the end of the measure phase. */
export function durationOrRunEnd(planned: PlannedActionOf<BaseAction & { duration?: string | undefined }>, durationMs: number): number {
  return planned.action.duration !== undefined ? planned.atMs + parseDuration(planned.action.duration) : durationMs;
}

/** Narrows a planned action of any kind to one kind, for actions that look at others (churn.stop, flux.resume). */
export function isPlanned<N extends TimelineAction['action']>(planned: PlannedAction, name: N): planned is PlannedActionOf<Extract<TimelineAction, { action: N }>> {
  return planned.action.action === name;
}
