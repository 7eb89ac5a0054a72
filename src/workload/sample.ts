/**
 * Rendered manifests without git: the objects a workload makes Flux apply, for checks such
 * as `kubectl apply --dry-run=server` against a real API server.
 */
import { parseAllDocuments } from 'yaml';
import { postBuildVariables, renderClusterFiles, rootObjects, type RootObjectsContext } from './flux-objects.ts';
import { renderUnitFiles, toYaml, type K8sObject } from './manifests.ts';
import { parseGeneratorOptions, type GeneratorOptions, type GeneratorOptionsInput } from './options.ts';
import { planWorkload } from './plan.ts';

export interface ManifestSample {
  /** In apply order: Namespaces first, then app resources and Secrets, then Flux objects. */
  objects: K8sObject[];
  yaml: string;
  /**
   * The Namespaces alone: a server-side dry run does not create them, so apply these for
   * real first, then dry-run `resourcesYaml`.
   */
  namespacesYaml: string;
  /** Everything but the Namespaces. */
  resourcesYaml: string;
}

export function parseManifests(text: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

/**
 * What kustomize-controller's postBuild makes of the generator's own `${NAME}` references (the
 * only form it writes: no defaults, no escapes); any other text is left as it is. Written here
 * because the sample needs only that subset of Flux's envsubst, not a shell-expansion library.
 */
export function substituteVariables(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => variables[name] ?? whole);
}

/**
 * The root objects, every Flux object of the fleet's cluster directory and the resources of
 * the first `apps` app directories, with namespaces set as the Kustomizations' targetNamespace
 * would set them and, with `flux.postBuild`, variables substituted as their postBuild would.
 */
export function renderedManifestSample(
  input: GeneratorOptionsInput | GeneratorOptions,
  gitBaseUrl: string,
  apps = 3,
  context: RootObjectsContext = {},
  ociBaseUrl?: string,
): ManifestSample {
  const plan = planWorkload(parseGeneratorOptions(input), gitBaseUrl, ociBaseUrl);
  const objects: K8sObject[] = [...rootObjects(plan, context)];
  for (const [name, text] of renderClusterFiles(plan)) {
    if (name !== 'kustomization.yaml') objects.push(...parseManifests(text, `clusters/${plan.options.cluster}/${name}`));
  }
  for (const unit of plan.units.filter((u) => u.variant === 'app' || u.variant === 'broken-root').slice(0, apps)) {
    const variables = plan.options.flux.postBuild ? postBuildVariables(unit) : undefined;
    for (const [name, text] of renderUnitFiles(plan, unit)) {
      if (name === 'kustomization.yaml') continue;
      for (const object of parseManifests(variables ? substituteVariables(text, variables) : text, `${unit.dir}/${name}`)) {
        object.metadata = { ...object.metadata, namespace: unit.targetNamespace };
        objects.push(object);
      }
    }
  }
  const rank = (o: K8sObject) => (o.kind === 'Namespace' ? 0 : o.apiVersion.includes('toolkit.fluxcd.io') ? 2 : 1);
  objects.sort((a, b) => rank(a) - rank(b));
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  const resources = objects.filter((o) => o.kind !== 'Namespace');
  return { objects, yaml: toYaml(objects), namespacesYaml: toYaml(namespaces), resourcesYaml: toYaml(resources) };
}
