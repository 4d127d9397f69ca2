// Every shared engine case, grouped by suite: [suite, [[name, fn(api, t)], ...]].
import { cases as api } from './api.mjs';
import { cases as badInput } from './bad_input.mjs';
import { cases as snapshot } from './snapshot.mjs';
import { cases as seed001 } from './seed001.mjs';
import { cases as engineWide } from './engine_wide.mjs';

export const suites = [
  ['PeerManager API', api],
  ['bad input', badInput],
  ['snapshot and restore', snapshot],
  ['seed 001 scenarios', seed001],
  ['behaviour, defence and fork (issues 4-6)', engineWide],
];
