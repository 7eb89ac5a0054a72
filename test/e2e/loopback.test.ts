/**
 * Every component of a local run listens on loopback only: etcd (client and peer), the API
 * server, kube-controller-manager, kube-scheduler, kwok, each Flux controller's metrics, health,
 * storage, events and receiver ports, the fake GitHub (both listeners) and the artifact proxy.
 * Reads the listening sockets from /proc/net/tcp{,6}, keeps those held by a process of the run
 * (and their children), and fails on any that is not on 127.0.0.0/8 or ::1.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../src/github/index.ts';
import type { Environment } from '../../src/providers/index.ts';
import { isLoopback, listeningSocketsOf, withDescendants } from '../support/listening-sockets.ts';
import { startTestEnvironment } from './helpers.ts';

describe('a local run listens on loopback only', () => {
  const toolchain = inject('toolchain');
  const runDir = mkdtempSync(join(tmpdir(), 'fb-e2e-loopback-'));
  let github: StartedFakeGitHub;
  let env: Environment;

  beforeAll(async () => {
    github = await startFakeGitHub({ tokens: [{ name: 'flux', permission: 'read' }] });
    env = await startTestEnvironment(toolchain, {
      runDir,
      nodes: 1,
      controllers: { source: {}, kustomize: { shards: 0 }, helm: { enabled: true }, notification: { enabled: true } },
    });
  });

  afterAll(async () => {
    await env?.stop();
    await github?.stop();
  });

  it('has no listening socket of the cluster, the controllers or the harness off loopback', async () => {
    const components = await env.cluster.componentPids();
    const controllers = env.flux.controllers.map((c) => c.process.pid).filter((pid): pid is number => pid !== undefined);
    expect(Object.keys(components)).toEqual(expect.arrayContaining(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller']));
    expect(controllers.length).toBe(env.flux.controllers.length);
    // This process holds the fake GitHub's listeners and the artifact proxy.
    const pids = await withDescendants([...Object.values(components), ...controllers, process.pid]);
    const sockets = await listeningSocketsOf(pids);

    // Not vacuous: every component was found listening.
    const owners = new Set(sockets.map((s) => s.pid));
    for (const [name, pid] of Object.entries(components)) expect(owners.has(pid), `${name} (pid ${pid}) listens`).toBe(true);
    for (const pid of controllers) expect(owners.has(pid), `controller pid ${pid} listens`).toBe(true);
    for (const url of [github.url, github.adminUrl]) expect(sockets.some((s) => s.pid === process.pid && s.port === Number(new URL(url).port)), url).toBe(true);

    const exposed = sockets.filter((s) => !isLoopback(s.address)).map((s) => `${s.command} (pid ${s.pid}) on ${s.address}:${s.port}`);
    expect(exposed).toEqual([]);
  });

  it('keeps the cluster\'s folders and kubeconfig to their owner', () => {
    expect(statSync(env.cluster.kubeconfigPath).mode & 0o077).toBe(0);
    expect(statSync(join(runDir, 'cluster')).mode & 0o077).toBe(0);
    expect(statSync(join(toolchain.cacheRoot, 'kwok')).mode & 0o077).toBe(0);
  });
});
