// The shared engine cases (tests/npm/cases) in Node, against the installed tarball via `import`.
import { describe, test } from 'node:test';
import { suites } from './cases/index.mjs';
import { t } from './cases/assert.mjs';
import { importPackage } from './harness.mjs';

const api = await importPackage();

for (const [suite, cases] of suites) {
  describe(suite, () => {
    for (const [name, fn] of cases) test(name, () => fn(api, t));
  });
}
