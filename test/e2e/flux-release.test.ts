import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFluxRelease } from '../../src/toolchain/flux-release.ts';
import { fluxControllerNames } from '../../src/toolchain/index.ts';

// Talks to the Go module proxy (the only registry the toolchain uses), hence the e2e tier.
describe('Flux release resolution through the Go module proxy', () => {
  it('resolves "2.9.x" to the newest published 2.9 release and the controller versions it pins', async () => {
    const release = await resolveFluxRelease('2.9.x', mkdtempSync(join(tmpdir(), 'fb-release-')));
    expect(release.flux).toMatch(/^2\.9\.\d+$/);
    for (const name of fluxControllerNames) {
      const c = release.controllers[name];
      expect(c.release).toMatch(/^v1\.\d+\.\d+$/);
      if (c.version === c.release) expect(c.note).toBeUndefined();
      else expect(c.note, `${name} substituted without saying so`).toMatch(/not served|none of/);
      if (c.version) expect(c.version.split('.').slice(0, 2)).toEqual(c.release.split('.').slice(0, 2));
    }
    // The answer is cached: a second resolution needs no module look-up and is identical.
    const again = await resolveFluxRelease(release.flux, join(tmpdir(), 'does-not-matter-' + Date.now()));
    expect(again.flux).toBe(release.flux);
  });

  it('refuses a release that does not exist, saying what to use', async () => {
    await expect(resolveFluxRelease('1.99.x', mkdtempSync(join(tmpdir(), 'fb-release-')))).rejects.toThrow(/no published Flux release matches 1\.99\.x/);
    await expect(resolveFluxRelease('latest', mkdtempSync(join(tmpdir(), 'fb-release-')))).rejects.toThrow(/use a published Flux release such as/);
  });
});
