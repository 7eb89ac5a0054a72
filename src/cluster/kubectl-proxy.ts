import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FluxbenchError } from '../util/exit-codes.ts';

export interface KubectlProxy {
  /** e.g. `http://127.0.0.1:41235` */
  url: string;
  pid: number;
  /** Stops the proxy and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

export interface KubectlProxyOptions {
  /** 0 lets kubectl pick a free port (read back from its first line). */
  port?: number;
  startTimeoutMs?: number;
}

/** The port from kubectl proxy's "Starting to serve on 127.0.0.1:PORT" line, or undefined while it has not said so. */
export function parseProxyServingLine(output: string): number | undefined {
  const match = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(output);
  return match ? Number.parseInt(match[1]!, 10) : undefined;
}

/** The arguments of the proxy: loopback only, and every path of the API allowed (metrics live under /api/v1/.../proxy). */
export function kubectlProxyArgs(port: number): string[] {
  return ['proxy', `--port=${port}`, '--address=127.0.0.1', '--accept-hosts=^(localhost|127\\.0\\.0\\.1)$'];
}

/**
 * `kubectl proxy` on loopback: an unauthenticated HTTP door to the API server through which
 * the scrapers reach pod controllers' metrics via the service proxy, whatever network the pods are on.
 */
export async function startKubectlProxy(kubectl: string, kubeconfigPath: string, options: KubectlProxyOptions = {}): Promise<KubectlProxy> {
  // Without its kubeconfig kubectl would quietly proxy to its default localhost:8080.
  if (!existsSync(kubeconfigPath)) throw new FluxbenchError(`kubectl proxy: kubeconfig ${kubeconfigPath} does not exist`);
  const child = spawn(kubectl, kubectlProxyArgs(options.port ?? 0), {
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(killTimer);
    }
  };
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new FluxbenchError(`kubectl proxy did not start serving within ${timeoutMs / 1000}s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = parseProxyServingLine(output);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new FluxbenchError(`kubectl proxy could not start (${kubectl}): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new FluxbenchError(`kubectl proxy exited (code ${code}) before serving:\n${output.trimEnd()}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop };
}

/** The metrics of a Service's port through the API server's service proxy. */
export function serviceProxyMetricsUrl(proxyUrl: string, namespace: string, service: string, port = 8080): string {
  return `${proxyUrl.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${port}/proxy/metrics`;
}
