import { chmod, writeFile } from 'node:fs/promises';

/** Writes a kubeconfig readable by its owner only (it carries client keys). */
export async function writeKubeconfigFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  // writeFile's mode applies only to new files.
  await chmod(path, 0o600);
}
