/**
 * The one Helm chart HelmReleases install: its files (also committed under charts/ when a
 * release sources it from git), its packaged .tgz and the Helm repository index.yaml that
 * GitHub Pages of the fake GitHub serve.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { chartName, chartVersion } from './plan.ts';
import { tgzArchive } from './tar.ts';

/** Chart files keyed by path inside the chart directory. */
export function chartFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'Chart.yaml',
    stringify({ apiVersion: 'v2', name: chartName, version: chartVersion, appVersion: '1', description: 'fluxbench synthetic app', type: 'application' }),
  );
  files.set('values.yaml', stringify({ replicas: 1, name: 'app', image: 'registry.local/app:1' }));
  files.set(
    'templates/deployment.yaml',
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}',
      '  labels:',
      '    app.kubernetes.io/name: {{ .Release.Name }}',
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
      '      containers:',
      '        - name: app',
      '          image: {{ .Values.image | quote }}',
      '',
    ].join('\n'),
  );
  files.set(
    'templates/configmap.yaml',
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ .Release.Name }}-values',
      'data:',
      '  name: {{ .Values.name | quote }}',
      '',
    ].join('\n'),
  );
  return files;
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
