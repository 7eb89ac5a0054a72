import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One answer of a recording CLI: the first rule whose `args` is a prefix of the call's
 * arguments answers it. `copyFile` copies a file to the path that follows `toArgAfter` in the
 * call (how `kind create cluster --kubeconfig <path>` hands over a kubeconfig).
 */
export interface CliRule {
  args: string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  copyFile?: { from: string; toArgAfter: string };
}

export interface RecordingCli {
  path: string;
  /** Every call's arguments, in order. */
  calls(): string[][];
}

/**
 * Writes an executable standing in for a CLI this machine does not have (kind, docker: no
 * Docker engine runs here). It records each call and answers from `rules`, so tests can check
 * the exact commands a provider issues while the rest of its code path runs for real.
 */
export function writeRecordingCli(dir: string, name: string, rules: CliRule[]): RecordingCli {
  const path = join(dir, name);
  const rulesPath = `${path}.rules.json`;
  const callsPath = `${path}.calls.ndjson`;
  writeFileSync(rulesPath, JSON.stringify(rules));
  writeFileSync(
    path,
    `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(callsPath)}, JSON.stringify(args) + '\\n');
const rules = JSON.parse(fs.readFileSync(${JSON.stringify(rulesPath)}, 'utf8'));
const rule = rules.find((r) => r.args.every((a, i) => args[i] === a));
if (!rule) { process.stderr.write('${name}: no rule for ' + args.join(' ') + '\\n'); process.exit(64); }
if (rule.copyFile) {
  const at = args.indexOf(rule.copyFile.toArgAfter);
  fs.copyFileSync(rule.copyFile.from, args[at + 1]);
}
if (rule.stdout) process.stdout.write(rule.stdout);
if (rule.stderr) process.stderr.write(rule.stderr);
process.exit(rule.exitCode ?? 0);
`,
  );
  // CommonJS body: the shim must run whatever package.json "type" surrounds it.
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  chmodSync(path, 0o755);
  return {
    path,
    calls: () =>
      existsSync(callsPath)
        ? readFileSync(callsPath, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as string[])
        : [],
  };
}

/** `docker network inspect kind` output with one IPv4 gateway. */
export function kindNetworkInspect(gateway: string): string {
  return JSON.stringify([{ Name: 'kind', IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: gateway }] } }]);
}
