/**
 * Helm charts pushed as OCI charts with Helm's own client (`helm push`), so the registry holds
 * them under Helm's media types (config `application/vnd.cncf.helm.config.v1+json`, layer
 * `application/vnd.cncf.helm.chart.content.v1.tar+gzip`), as every chart registry does.
 */
import { FluxbenchError } from '../util/exit-codes.ts';
import { parseOciReference } from './reference.ts';
import { loginSecrets, runTool, withLoginConfig } from './tool.ts';

export interface PushChartOptions {
  /** The `helm` binary (Helm 4). */
  helm: string;
  /** A packaged chart, `<name>-<version>.tgz`. */
  chartTgz: string;
  /** Where charts go: `oci://127.0.0.1:PORT/<path>`; the chart lands at `<path>/<name>:<version>`. */
  reference: string;
  username?: string;
  password?: string;
  /** Plain HTTP (`--plain-http`). */
  plainHttp: boolean;
  timeoutMs?: number;
}

export interface PushedChart {
  /** `sha256:<hex>` of the chart's manifest. */
  digest: string;
  /** `127.0.0.1:PORT/<path>/<name>:<version>`, as helm printed it. */
  pushed: string;
}

/**
 * `helm push <chartTgz> <reference>`, with a registry login of its own for this call
 * (HELM_REGISTRY_CONFIG, and HELM_*_HOME / HOME in a private folder, so nothing lands in the
 * user's ~/.config or ~/.cache).
 *
 * Starts: one `helm` process. Throws: UsageError for a reference with a tag (helm takes the tag
 * from the chart's version); FluxbenchError when the push fails, times out (default 2 min) or
 * helm prints no digest, the message free of the password.
 */
export async function pushChart(options: PushChartOptions): Promise<PushedChart> {
  const { host, tag } = parseOciReference(options.reference, 'chart reference');
  if (tag) throw new FluxbenchError(`chart reference "${options.reference}": helm push takes the tag from the chart's version; give the repository path only`);
  const login = { host, ...(options.username !== undefined ? { username: options.username } : {}), ...(options.password !== undefined ? { password: options.password } : {}) };
  const args = ['push', options.chartTgz, options.reference];
  if (options.plainHttp) args.push('--plain-http');
  const output = await withLoginConfig(login, (dir) =>
    runTool({
      what: `helm push ${options.chartTgz} ${options.reference}`,
      binary: options.helm,
      args,
      env: {
        HOME: dir,
        HELM_REGISTRY_CONFIG: `${dir}/config.json`,
        HELM_CONFIG_HOME: `${dir}/config`,
        HELM_CACHE_HOME: `${dir}/cache`,
        HELM_DATA_HOME: `${dir}/data`,
      },
      timeoutMs: options.timeoutMs ?? 120_000,
      secrets: loginSecrets(login),
    }),
  );
  const digest = /Digest:\s*(sha256:[0-9a-f]{64})/.exec(output)?.[1];
  if (!digest) throw new FluxbenchError(`helm push ${options.chartTgz} ${options.reference}: no digest in its output: ${output.slice(0, 200)}`);
  return { digest, pushed: /Pushed:\s*(\S+)/.exec(output)?.[1] ?? '' };
}
