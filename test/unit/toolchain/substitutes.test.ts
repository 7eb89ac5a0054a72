import { describe, expect, it } from 'vitest';
import { chooseSubstitute, parseRefusedModules } from '../../../src/toolchain/substitutes.ts';

describe('refused dependency versions', () => {
  it("finds the modules in Go's download errors", () => {
    const output = `go: downloading github.com/fluxcd/pkg/artifact v0.18.3
/root/go/pkg/mod/github.com/fluxcd/source-controller@v1.9.5/main.go:40:2: github.com/fluxcd/pkg/artifact@v0.18.3: reading https://proxy.golang.org/github.com/fluxcd/pkg/artifact/@v/v0.18.3.zip: 403 Forbidden
\tserver response: This module version is not available.
/root/go/pkg/mod/github.com/fluxcd/source-controller@v1.9.5/main.go:41:2: github.com/fluxcd/pkg/artifact@v0.18.3: reading https://proxy.golang.org/github.com/fluxcd/pkg/artifact/@v/v0.18.3.zip: 403 Forbidden
go: example.com/other/v2@v2.1.0: reading https://proxy.golang.org/example.com/other/v2/@v/v2.1.0.mod: 410 Gone
main.go:3:2: undefined: foo`;
    expect(parseRefusedModules(output)).toEqual([
      { path: 'github.com/fluxcd/pkg/artifact', version: 'v0.18.3' },
      { path: 'example.com/other/v2', version: 'v2.1.0' },
    ]);
    expect(parseRefusedModules('main.go:3:2: undefined: foo')).toEqual([]);
  });

  it('prefers the newest earlier patch of the same minor', () => {
    expect(chooseSubstitute('v0.18.3', ['v0.3.0', 'v0.5.0', 'v0.8.0', 'v0.18.0'])).toBe('v0.18.0');
    expect(chooseSubstitute('v1.9.4', ['v1.9.3', 'v1.9.1', 'v1.8.9', 'v1.10.0'])).toBe('v1.9.3');
  });

  it('then an earlier version of the same major, then a later patch, never another major', () => {
    expect(chooseSubstitute('v1.9.0', ['v1.8.2', 'v1.7.0', 'v2.0.0'])).toBe('v1.8.2');
    expect(chooseSubstitute('v1.9.0', ['v1.9.2', 'v1.9.1', 'v2.0.0'])).toBe('v1.9.1');
    expect(chooseSubstitute('v1.9.0', ['v2.0.0', 'v0.9.0'])).toBeUndefined();
    expect(chooseSubstitute('v1.9.0', ['v1.9.0'])).toBeUndefined();
    expect(chooseSubstitute('v1.9.3', ['v1.9.2-rc.1', 'v1.9.1'])).toBe('v1.9.1');
  });
});
