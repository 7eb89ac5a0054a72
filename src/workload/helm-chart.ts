/**
 * The one Helm chart HelmReleases install: its files (also committed under charts/ when a
 * release sources it from git), its packaged .tgz and the Helm repository index.yaml that
 * GitHub Pages of the fake GitHub serve. It renders a Deployment and, as its values say, a
 * ConfigMap, a ServiceAccount, a Service and an Ingress (see chartDefaultValues).
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { chartName, chartVersion } from './plan.ts';
import { tgzArchive } from './tar.ts';

/**
 * The chart's default values. A HelmRelease with `helm.values: minimal` overrides only replicas
 * and name, so it renders a Deployment and a ConfigMap; `app` turns the other objects on.
 */
export const chartDefaultValues = {
  replicas: 1,
  name: 'app',
  image: 'registry.local/app:1',
  serviceAccount: { create: false },
  service: { enabled: false },
  ingress: { enabled: false },
  configMap: { enabled: true },
  // helm.failures: off for healthy releases.
  failure: { invalidManifest: false, hook: false },
};

const metadataLines = ['metadata:', '  name: {{ .Release.Name }}', '  labels:', '    app.kubernetes.io/name: {{ .Release.Name }}'];

/** A template rendered only when `condition` (a values path such as `.Values.service.enabled`) is true. */
function gated(condition: string, lines: readonly string[]): string {
  return [`{{- if ${condition} }}`, ...lines, '{{- end }}', ''].join('\n');
}

/** Chart files keyed by path inside the chart directory. */
export function chartFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'Chart.yaml',
    stringify({ apiVersion: 'v2', name: chartName, version: chartVersion, appVersion: '1', description: 'fluxbench synthetic app', type: 'application' }),
  );
  files.set('values.yaml', stringify(chartDefaultValues));
  files.set(
    'templates/deployment.yaml',
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      ...metadataLines,
      'spec:',
      '  replicas: {{ .Values.replicas }}',
      '  selector:',
      '    matchLabels:',
      '      app.kubernetes.io/name: {{ .Release.Name }}',
      '  template:',
      '    metadata:',
      '      labels:',
      '        app.kubernetes.io/name: {{ .Release.Name }}',
      '    spec:',
      '      {{- if .Values.serviceAccount.create }}',
      '      serviceAccountName: {{ .Release.Name }}',
      '      {{- end }}',
      '      containers:',
      '        - name: app',
      '          image: {{ .Values.image | quote }}',
      '          {{- if .Values.service.enabled }}',
      '          ports:',
      '            - name: http',
      '              containerPort: 8080',
      '          {{- end }}',
      // Unset in the defaults (helm.values minimal renders none); helm.values app sets the app's.
      '          {{- with .Values.resources }}',
      '          resources:',
      '            {{- toYaml . | nindent 12 }}',
      '          {{- end }}',
      '',
    ].join('\n'),
  );
  files.set('templates/configmap.yaml', gated('.Values.configMap.enabled', ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: {{ .Release.Name }}-values', 'data:', '  name: {{ .Values.name | quote }}']));
  files.set('templates/serviceaccount.yaml', gated('.Values.serviceAccount.create', ['apiVersion: v1', 'kind: ServiceAccount', ...metadataLines]));
  files.set(
    'templates/service.yaml',
    gated('.Values.service.enabled', [
      'apiVersion: v1',
      'kind: Service',
      ...metadataLines,
      'spec:',
      '  selector:',
      '    app.kubernetes.io/name: {{ .Release.Name }}',
      '  ports:',
      '    - name: http',
      '      port: 80',
      '      targetPort: http',
    ]),
  );
  files.set(
    'templates/ingress.yaml',
    gated('.Values.ingress.enabled', [
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      ...metadataLines,
      'spec:',
      '  {{- with .Values.ingress.className }}',
      '  ingressClassName: {{ . }}',
      '  {{- end }}',
      '  rules:',
      '    - host: {{ printf "%s.%s.fluxbench.local" .Release.Name .Release.Namespace | quote }}',
      '      http:',
      '        paths:',
      '          - path: /',
      '            pathType: Prefix',
      '            backend:',
      '              service:',
      '                name: {{ .Release.Name }}',
      '                port:',
      '                  name: http',
    ]),
  );
  addFailureTemplates(files);
  return files;
}

/**
 * The helm.failures classes, off by default. A Service port of 70000 fails the API server's
 * validation, so the install fails at once with Flux's InstallFailed; a hook Job with a 1-second
 * deadline is failed by the Job controller (DeadlineExceeded) whatever its pod does, which kwok's
 * pods never finish, so Helm reports the hook failed instead of waiting for the release timeout.
 */
function addFailureTemplates(files: Map<string, string>): void {
  files.set(
    'templates/failure-invalid.yaml',
    gated('.Values.failure.invalidManifest', [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: {{ .Release.Name }}-invalid',
      'spec:',
      '  ports:',
      '    - port: 70000',
    ]),
  );
  files.set(
    'templates/failure-hook.yaml',
    gated('.Values.failure.hook', [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: {{ .Release.Name }}-hook',
      '  annotations:',
      '    helm.sh/hook: pre-install,pre-upgrade',
      '    helm.sh/hook-delete-policy: before-hook-creation',
      'spec:',
      '  activeDeadlineSeconds: 1',
      '  backoffLimit: 0',
      '  template:',
      '    spec:',
      '      restartPolicy: Never',
      '      containers:',
      '        - name: hook',
      '          image: {{ .Values.image | quote }}',
    ]),
  );
}

export interface PackagedChart {
  fileName: string;
  tgz: Buffer;
  digest: string;
}

export function packageChart(createdSeconds: number): PackagedChart {
  const entries = [...chartFiles()].map(([path, content]) => ({ path: `${chartName}/${path}`, content }));
  const tgz = tgzArchive(entries, createdSeconds);
  return { fileName: `${chartName}-${chartVersion}.tgz`, tgz, digest: createHash('sha256').update(tgz).digest('hex') };
}

/** index.yaml with a relative chart URL, so it keeps working whatever port serves it. */
export function helmIndex(chart: PackagedChart, createdSeconds: number): string {
  const created = new Date(createdSeconds * 1000).toISOString();
  return stringify({
    apiVersion: 'v1',
    entries: {
      [chartName]: [
        {
          apiVersion: 'v2',
          name: chartName,
          version: chartVersion,
          appVersion: '1',
          description: 'fluxbench synthetic app',
          type: 'application',
          created,
          digest: chart.digest,
          urls: [chart.fileName],
        },
      ],
    },
    generated: created,
  });
}
