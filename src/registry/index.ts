import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { resolve } from 'node:path';
import type { SampleSink } from '../metrics/sample.ts';
import { newAdminSecret } from '../serving/admin-auth.ts';
import { systemClock, type Clock } from '../serving/clock.ts';
import { faultControls } from '../serving/faults.ts';
import { listenOnLoopback, type Listening } from '../serving/listen.ts';
import { createRunCertificateAuthority, type RunCertificateAuthority } from '../serving/tls.ts';
import { UsageError } from '../util/exit-codes.ts';
import { RegistryAccounting } from './accounting.ts';
import { basicAuthorization, newCredentials } from './credentials.ts';
import { createRegistryFaults } from './faults.ts';
import type { GatewayState } from './gateway/context.ts';
import { adminListener } from './gateway/admin.ts';
import { gatewayListener } from './gateway/pipeline.ts';
import { PullLimits } from './limits.ts';
import { parseRegistryOptions, type RegistryOptionsInput } from './options.ts';
import { startRegistryProcess, type RegistryProcess } from './process.ts';
import type { RegistryAdmin, RegistryTls, StartedRegistry } from './types.ts';

export type { RegistryTls, StartedRegistry, RegistryAdmin, RegistryRequestRecord, RegistryRoute, ActiveFault } from './types.ts';
export {
  parseRegistryOptions,
  registryOptionsSchema,
  registryRateLimitsSchema,
  registryFaultSpecSchema,
  type RegistryOptions,
  type RegistryOptionsInput,
  type RegistryRateLimits,
  type RegistryRateLimitsInput,
  type RegistryFaultSpec,
  type RegistryFaultSpecInput,
} from './options.ts';
export { registryRoutes, classifyRequest } from './routes.ts';
export { parseRegistryFaultSpec, registryFaultTarget } from './faults.ts';
export { registryVersion } from './process.ts';

export interface StartRegistryExtras {
  /** The Distribution `registry` binary (ensureToolchain()'s `binaries.registry`). */
  binary: string;
  /** Filesystem storage of the registry; created when missing, kept by stop(). */
  storageDir: string;
  /** Receives `registry` (request, quota) and `fault` samples. */
  sink?: SampleSink;
  /** Drives pull-limit windows and fault windows (tests). */
  clock?: Clock;
  /** The admin listener's port on 127.0.0.1; 0 or absent = a free one. */
  adminPort?: number;
  /** The gateway's port on 127.0.0.1; 0 or absent = a free one. */
  port?: number;
  /** Called with the registry's pid the moment it exists (e.g. RunRegistry.addProcessGroup), so a killed runner's registry is reaped. */
  onPid?: (pid: number, name: string) => void;
}

/** The user pushers and pullers are given, and the one the gateway itself uses on the registry. */
const clientUser = 'fluxbench';
const gatewayUser = 'fluxbench-gateway';

/**
 * Starts the OCI registry: the CNCF Distribution registry as a child process (its own process
 * group, `registry serve`, on a free 127.0.0.1 port, htpasswd auth, filesystem storage at
 * `storageDir`), and in this process the gateway in front of it on 127.0.0.1 (`url`; `port`, 0
 * = a free one) that identifies callers, applies faults and Docker Hub-style pull limits,
 * forwards to the registry with its own credentials and accounts for every request, plus the
 * admin API on a second 127.0.0.1 listener (`adminUrl`) behind a per-start bearer secret.
 *
 * Credentials are made fresh per start: `username`/`password` (Basic auth, for pushing and for
 * pulling when anonymous pulls are off) and the gateway's own, which no caller sees. The password
 * and the admin secret are not enumerable on the handle and never reach samples or files other
 * than the htpasswd's bcrypt hashes.
 *
 * With `tls: true` the gateway speaks HTTPS only, with an ECDSA certificate for 127.0.0.1 and
 * localhost from a CA made for this start (its key only in memory); `handle.tls` carries the CA
 * (PEM, also written to `<storageDir>.ca.crt`) and `addName()` for the address pods use. The
 * registry behind it stays plain HTTP on loopback, as a TLS-terminating proxy's backend does.
 *
 * Options (`RegistryOptionsInput`, see options.ts): `tls`, `timeScale`, `anonymousPull`, `rateLimits`
 * (off by default; Docker Hub's 100 anonymous / 200 authenticated pulls per 6 h when on) and
 * `faults`. `extras.sink` receives `registry`/`request` samples (one per request),
 * `registry`/`quota` samples (after each counted pull) and `fault` samples labelled `host:
 * registry`.
 *
 * Left on disk after stop(): the storage (`storageDir`) and, beside it, `<storageDir>.config.yml`,
 * `<storageDir>.htpasswd` (both 0600), `<storageDir>.log` and with `tls` `<storageDir>.ca.crt`. Runs until stop(), which the caller
 * must call: it ends the faults (writing their end samples), closes both listeners and stops the
 * registry (SIGTERM, SIGKILL after 5 s).
 *
 * @throws UsageError when the options are invalid (naming the field).
 * @throws FluxbenchError when the registry does not start (with its log's tail) or a port cannot be bound.
 */
export async function startRegistry(input: RegistryOptionsInput, extras: StartRegistryExtras): Promise<StartedRegistry> {
  const options = parseRegistryOptions(input);
  const clock = extras.clock ?? systemClock;
  const client = newCredentials(clientUser);
  const gatewayCredentials = newCredentials(gatewayUser);
  const storageDir = resolve(extras.storageDir);
  const registry = await startRegistryProcess({
    binary: extras.binary,
    storageDir,
    users: [client, gatewayCredentials],
    ...(extras.onPid ? { onPid: extras.onPid } : {}),
  });
  const state: GatewayState = {
    clock,
    anonymousPull: options.anonymousPull,
    faults: createRegistryFaults(clock, extras.sink),
    limits: new PullLimits(options.rateLimits, options.timeScale, clock),
    accounting: new RegistryAccounting(extras.sink),
    client,
    clientAuthorization: Buffer.from(basicAuthorization(client), 'latin1'),
    upstream: { host: '127.0.0.1', port: registry.port, authorization: basicAuthorization(gatewayCredentials), agent: new Agent({ keepAlive: true, maxSockets: 256, noDelay: true }) },
  };
  Object.defineProperty(state.upstream, 'authorization', { enumerable: false });
  Object.defineProperty(state, 'clientAuthorization', { enumerable: false });
  let gateway: Listening | undefined;
  let admin: Listening | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      state.faults.stop();
      await Promise.all([gateway?.close(), admin?.close()]);
      state.upstream.agent.destroy();
      await registry.stop();
    })());
  try {
    for (const spec of options.faults) state.faults.addParsed(spec);
    const authority = options.tls ? await createRunCertificateAuthority('fluxbench registry CA') : undefined;
    const certificate = authority ? await authority.issue([]) : undefined;
    gateway = await listenOnLoopback(extras.port ?? 0, gatewayListener(state), 'registry gateway', certificate);
    const tls = authority && certificate ? gatewayTls(authority, certificate.names, `${storageDir}.ca.crt`, gateway) : undefined;
    const handle = registryHandle({ options, state, registry, storageDir, gatewayPort: gateway.port, adminSecret: newAdminSecret(), adminPort: () => admin?.port ?? 0, stop, ...(tls ? { tls } : {}) });
    admin = await listenOnLoopback(extras.adminPort ?? 0, adminListener(handle, handle.adminSecret), 'registry admin API');
    return handle;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The handle's `tls`: the CA written beside the storage, and re-issuing for new names. */
function gatewayTls(authority: RunCertificateAuthority, initialNames: string[], caFile: string, gateway: Listening): RegistryTls {
  writeFileSync(caFile, authority.caPem, { mode: 0o644 });
  let names = initialNames;
  return {
    caPem: authority.caPem,
    caFile,
    async addName(host) {
      if (names.includes(host)) return;
      const next = await authority.issue([...names, host]);
      names = next.names;
      gateway.setCertificate?.(next);
    },
  };
}

function registryHandle(params: {
  options: StartedRegistry['options'];
  state: GatewayState;
  registry: RegistryProcess;
  storageDir: string;
  gatewayPort: number;
  adminSecret: string;
  adminPort: () => number;
  stop: () => Promise<void>;
  tls?: RegistryTls;
}): StartedRegistry {
  const { options, state, registry, storageDir, gatewayPort, adminSecret, tls } = params;
  const handle: StartedRegistry = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${gatewayPort}`,
    ...(tls ? { tls } : {}),
    host: `127.0.0.1:${gatewayPort}`,
    upstreamUrl: registry.url,
    get adminUrl() {
      return `http://127.0.0.1:${params.adminPort()}`;
    },
    adminSecret,
    username: state.client.username,
    password: state.client.password,
    pid: registry.pid,
    storageDir,
    options,
    admin: adminControls(state),
    requests: () => state.accounting.requests(),
    quota: (identity) => state.limits.peek(identity),
    stop: params.stop,
  };
  // Not enumerable: a handle logged or serialized by mistake does not carry the secrets along.
  Object.defineProperty(handle, 'adminSecret', { enumerable: false });
  Object.defineProperty(handle, 'password', { enumerable: false });
  return handle;
}

/** The run-time controls; each validates its input and throws UsageError naming the field. */
function adminControls(state: GatewayState): RegistryAdmin {
  const { faults, limits } = state;
  return {
    ...faultControls(faults),
    setRateLimits: (patch) => limits.set(patch),
    rateLimits: () => limits.config,
    resetQuota: (identity) => limits.reset(identity),
    setTimeScale: (value) => limits.setTimeScale(value),
    setAnonymousPull(allowed) {
      if (typeof allowed !== 'boolean') throw new UsageError(`invalid anonymousPull ${String(allowed)}: must be true or false`);
      state.anonymousPull = allowed;
    },
  };
}
