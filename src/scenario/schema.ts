/**
 * The scenario file's schema: the fields (object-schema.ts) plus the checks that span several
 * of them (consistency.ts), which run once every field is valid.
 */
import { scenarioProblems } from './consistency.ts';
import { scenarioObjectSchema } from './object-schema.ts';

export { scenarioApiVersion, providerTypes, kubeApiQpsSchema, kubeApiBurstSchema, type Scenario, type ScenarioInput, type ProviderType } from './object-schema.ts';

export const scenarioSchema = scenarioObjectSchema.superRefine((scenario, ctx) => {
  for (const problem of scenarioProblems(scenario)) {
    ctx.addIssue({
      code: 'custom',
      path: problem.path,
      message: problem.message,
      ...(problem.allowed ? { params: { allowed: problem.allowed } } : {}),
    });
  }
  // Cross-field checks read parsed values, so they wait until every field is valid.
}, { when: (payload) => payload.issues.length === 0 });

