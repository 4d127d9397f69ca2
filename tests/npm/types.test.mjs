// The package's TypeScript declarations: `tsc --noEmit --strict` over the installed index.d.ts
// and a typed app (tests/npm/types/usage.ts) whose misuses must be refused, and no `any`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { APP_DIR } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TSC = join(HERE, '..', '..', 'node_modules', '.bin', 'tsc');
const DTS = join(APP_DIR, 'node_modules', 'peerkeeper', 'index.d.ts');

test('the installed declarations and a typed app compile under tsc --strict, misuses refused', () => {
  copyFileSync(join(HERE, 'types', 'usage.ts'), join(APP_DIR, 'usage.ts'));
  writeFileSync(join(APP_DIR, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2022', 'dom'], types: [], skipLibCheck: false,
    },
    files: ['usage.ts'],
  }));
  try {
    execFileSync(TSC, ['-p', join(APP_DIR, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (e) {
    throw new Error(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

test('the declarations use no `any`', () => {
  const code = readFileSync(DTS, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const hits = code.split('\n').filter((l) => /\bany\b/.test(l));
  if (hits.length > 0) throw new Error(`\`any\` in index.d.ts:\n${hits.join('\n')}`);
});
