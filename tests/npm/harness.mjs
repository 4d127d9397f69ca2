// Loads the package the way an app would: from a temporary folder where scripts/test-npm.sh
// installed the packed tarball (PEERKEEPER_NPM_DIR). Both module systems resolve `peerkeeper`
// from files placed in that folder, so `exports` conditions are exercised for real.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const APP_DIR = process.env.PEERKEEPER_NPM_DIR;
if (!APP_DIR) throw new Error('PEERKEEPER_NPM_DIR is not set: run scripts/test-npm.sh');

/** The package through `import`. */
export async function importPackage() {
  const entry = join(APP_DIR, 'esm-entry.mjs');
  writeFileSync(entry, "export * from 'peerkeeper';\nexport { default } from 'peerkeeper';\n");
  return import(pathToFileURL(entry).href);
}

/** The package through `require`. */
export function requirePackage() {
  return createRequire(join(APP_DIR, 'cjs-entry.cjs'))('peerkeeper');
}

/** Where each module system resolves the package to. */
export function resolved() {
  const require = createRequire(join(APP_DIR, 'cjs-entry.cjs'));
  return { require: require.resolve('peerkeeper'), dir: join(APP_DIR, 'node_modules', 'peerkeeper') };
}
