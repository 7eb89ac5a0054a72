import { describe, expect, it } from 'vitest';
import { controllerArgs, defaultFluxControllers, plannedInstances, shardSelector } from '../../../src/flux/index.ts';

describe('controller flags', () => {
  it('gives source-controller its storage on loopback, advertised at the same address', () => {
    const args = controllerArgs({
      instance: { controller: 'source-controller', id: 'source-controller' },
      ports: { metrics: 1001, health: 1002, storage: 1003 },
      settings: { concurrent: 8, requeueDependency: '5s', featureGates: { CacheSecretsAndConfigMaps: true, Foo: false }, args: ['--helm-cache-max-size=10'] },
      storagePath: '/run/storage',
      allShards: [],
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--metrics-addr=127.0.0.1:1001',
        '--health-addr=127.0.0.1:1002',
        '--storage-addr=127.0.0.1:1003',
        '--storage-adv-addr=127.0.0.1:1003',
        '--storage-path=/run/storage',
        '--enable-leader-election=false',
        '--concurrent=8',
        '--requeue-dependency=5s',
        '--feature-gates=CacheSecretsAndConfigMaps=true,Foo=false',
        '--helm-cache-max-size=10',
      ]),
    );
    expect(args.some((a) => a.startsWith('--watch-label-selector'))).toBe(false);
  });

  it('refuses a source-controller without storage', () => {
    expect(() =>
      controllerArgs({
        instance: { controller: 'source-controller', id: 'source-controller' },
        ports: { metrics: 1, health: 2 },
        settings: {},
        allShards: [],
      }),
    ).toThrow(/storage/);
  });

  it('splits objects between the main instance and shards the way Flux documents it', () => {
    expect(shardSelector(undefined, [])).toBeUndefined();
    expect(shardSelector(undefined, ['shard1', 'shard2'])).toBe('!sharding.fluxcd.io/key');
    expect(shardSelector('shard2', ['shard1', 'shard2'])).toBe('sharding.fluxcd.io/key in (shard2)');
    const planned = plannedInstances({ ...defaultFluxControllers, kustomize: { shards: 2 }, helm: { enabled: true } });
    expect(planned.map((p) => p.id)).toEqual([
      'source-controller',
      'kustomize-controller',
      'kustomize-controller-shard1',
      'kustomize-controller-shard2',
      'helm-controller',
    ]);
    const shardArgs = controllerArgs({
      instance: planned[2]!,
      ports: { metrics: 1, health: 2 },
      settings: {},
      allShards: ['shard1', 'shard2'],
    });
    expect(shardArgs).toContain('--watch-label-selector=sharding.fluxcd.io/key in (shard1)');
  });
});

describe('notification-controller', () => {
  it('listens for events and webhooks on its own loopback ports; the others post events to it', () => {
    const own = controllerArgs({
      instance: { controller: 'notification-controller', id: 'notification-controller' },
      ports: { metrics: 1, health: 2, events: 3, receiver: 4 },
      settings: {},
      allShards: [],
    });
    expect(own).toEqual(expect.arrayContaining(['--events-addr=127.0.0.1:3', '--receiverAddr=127.0.0.1:4']));
    const kustomize = controllerArgs({
      instance: { controller: 'kustomize-controller', id: 'kustomize-controller' },
      ports: { metrics: 1, health: 2 },
      settings: {},
      allShards: [],
      eventsUrl: 'http://127.0.0.1:3',
    });
    expect(kustomize).toContain('--events-addr=http://127.0.0.1:3');
    const alone = controllerArgs({ instance: { controller: 'kustomize-controller', id: 'k' }, ports: { metrics: 1, health: 2 }, settings: {}, allShards: [] });
    expect(alone).toContain('--events-addr=');
    expect(() =>
      controllerArgs({ instance: { controller: 'notification-controller', id: 'n' }, ports: { metrics: 1, health: 2 }, settings: {}, allShards: [] }),
    ).toThrow(/events and a receiver port/);
  });
});

describe('sharding applies to kustomize-controller only', () => {
  it('leaves source- and helm-controller watching every object when kustomize is sharded', () => {
    for (const controller of ['source-controller', 'helm-controller'] as const) {
      const args = controllerArgs({
        instance: { controller, id: controller },
        ports: { metrics: 1, health: 2, storage: 3 },
        settings: {},
        storagePath: '/s',
        allShards: ['shard1', 'shard2'],
      });
      expect(args.some((a) => a.startsWith('--watch-label-selector'))).toBe(false);
    }
  });
});
