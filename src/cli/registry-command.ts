import { Command, Option } from 'commander';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunRegistry, startWatchdog } from '../lifecycle/index.ts';
import type { Sample } from '../metrics/sample.ts';
import { parseRegistryOptions, startRegistry, type RegistryOptionsInput } from '../registry/index.ts';
import { ensureToolchain as defaultEnsureToolchain, formatProgress, type EnsureToolchainOptions, type Toolchain } from '../toolchain/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { NdjsonWriter } from '../util/ndjson.ts';
import { newRunId } from '../util/run-id.ts';
import { portFromFlag, readServeConfig } from './serve-config.ts';

interface ServeFlags {
  config?: string;
  port?: string;
  adminPort?: string;
  storageDir?: string;
  timeScale?: string;
  anonymousPull: boolean;
  samples?: string;
}

/**
 * The registry options from `--config` (YAML/JSON: a scenario's `registry:` block, or the block's
 * content bare) and the flags, which win. Validated: @throws UsageError naming the file or flag.
 */
export async function registryOptionsFromFlags(flags: ServeFlags): Promise<RegistryOptionsInput> {
  const base = flags.config ? await readServeConfig(flags.config, 'registry', 'registry options') : {};
  const options: Record<string, unknown> = { ...base };
  if (flags.timeScale !== undefined) {
    const scale = Number(flags.timeScale);
    if (!(scale > 0)) throw new UsageError(`--time-scale "${flags.timeScale}": expected a positive number (60 = a 6-hour window passes in 6 minutes)`);
    options.timeScale = scale;
  }
  if (!flags.anonymousPull) options.anonymousPull = false;
  parseRegistryOptions(options, flags.config ? `${flags.config}: registry` : 'registry');
  return options as RegistryOptionsInput;
}

export interface RegistryCommandDeps {
  ensureToolchain: (options: EnsureToolchainOptions) => Promise<Toolchain>;
}

/**
 * `fluxbench registry serve`: the OCI registry (Distribution behind the limit/fault gateway) alone,
 * until SIGINT/SIGTERM. Its one JSON line on stdout is the only place the password and the admin
 * secret appear: `{url, host, username, password, adminUrl, adminSecret, storageDir}`, plus `caFile` with `tls: true`. The
 * registry process is recorded in the run registry, so a SIGKILLed command's registry is stopped
 * by its watchdog or `fluxbench cleanup`. Left on disk: the storage and its config, htpasswd and
 * log beside it (a temp dir unless --storage-dir), and `--samples`.
 */
export function registerRegistryCommand(program: Command, deps: RegistryCommandDeps = { ensureToolchain: defaultEnsureToolchain }): void {
  const registry = program.command('registry').description('the OCI registry (CNCF Distribution) behind a pull-limit and fault gateway');
  registry
    .command('serve')
    .description('serve the registry on 127.0.0.1 until interrupted; prints one JSON line with url, credentials, adminUrl and adminSecret when ready')
    .option('-c, --config <file>', "YAML/JSON with registry options (a scenario file's `registry:` block works too)")
    .option('-p, --port <port>', 'gateway port on 127.0.0.1 (0 = random free port)')
    .option('--admin-port <port>', 'port of the admin API listener on 127.0.0.1 (0 = random free port)')
    .option('--storage-dir <dir>', 'where the registry stores blobs (default: a new temp dir); config, htpasswd and log go beside it')
    .option('--time-scale <factor>', 'compress pull-limit windows: 60 = a 6-hour window passes in 6 minutes')
    .addOption(new Option('--no-anonymous-pull', 'refuse pulls without credentials'))
    .option('--samples <file>', 'append registry/fault samples to this NDJSON file')
    .action(async (flags: ServeFlags) => {
      const input = await registryOptionsFromFlags(flags);
      const port = portFromFlag('--port', flags.port);
      const adminPort = portFromFlag('--admin-port', flags.adminPort);
      const toolchain = await deps.ensureToolchain({ controllerBinaries: false, progress: (e) => console.error(formatProgress(e)) });
      const binary = toolchain.binaries.registry;
      if (!binary) throw new UsageError('the toolchain has no registry binary');
      const storageDir = flags.storageDir ? resolve(flags.storageDir) : join(await mkdtemp(join(tmpdir(), 'fluxbench-registry-')), 'storage');
      const runs = new RunRegistry(toolchain.cacheRoot, `registry-${newRunId()}`);
      startWatchdog(runs);
      const writer = flags.samples ? new NdjsonWriter<Sample>(flags.samples) : undefined;
      try {
        const started = await startRegistry(input, {
          binary,
          storageDir,
          port,
          adminPort,
          onPid: (pid, name) => runs.addProcessGroup(pid, name),
          ...(writer ? { sink: writer } : {}),
        });
        const ready = {
          url: started.url,
          host: started.host,
          username: started.username,
          password: started.password,
          adminUrl: started.adminUrl,
          adminSecret: started.adminSecret,
          storageDir,
          // With tls: true, the CA clients must trust (curl --cacert, a certSecretRef's ca.crt).
          ...(started.tls ? { caFile: started.tls.caFile } : {}),
        };
        process.stdout.write(`${JSON.stringify(ready)}\n`);
        await new Promise<void>((done) => {
          process.once('SIGINT', () => done());
          process.once('SIGTERM', () => done());
        });
        await started.stop();
      } finally {
        writer?.close();
        runs.remove();
      }
    });
}
