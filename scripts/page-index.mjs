// Writes dist/index.html from www/index.html, resolving the page's asset links:
//   <link data-trunk rel="css" href="F">        -> F copied as F-<hash>.css, linked
//   <link data-trunk rel="copy-file" href="F">  -> F copied as is
//   <link data-trunk rel="rust" ...>            -> a loader that starts the live or the sim build
//                                                 of the page, whichever the URL's mode needs
// The data-trunk spelling is kept so the page's source stays readable by trunk users too.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const [src, dist, liveJs, liveWasm, simJs, simWasm] = process.argv.slice(2);
if (!simWasm) {
  console.error('usage: page-index.mjs <www dir> <dist dir> <live.js> <live_bg.wasm> <sim.js> <sim_bg.wasm>');
  process.exit(2);
}

// The mode as www's `Mode::from_query` reads it (www/src/state.rs): the first known `mode`,
// else teaching when a `scenario` is named, else live. Every mode but live is the sim build's.
const loader = `
    const MODES = ['live', 'teaching', 'sandbox', 'stress', 'playground'];
    const q = new URLSearchParams(location.search);
    const mode = q.getAll('mode').find((m) => MODES.includes(m)) ?? (q.has('scenario') ? 'teaching' : 'live');
    const [js, wasm] = mode === 'live' ? ['/${liveJs}', '/${liveWasm}'] : ['/${simJs}', '/${simWasm}'];
    const module = fetch(wasm);
    const { default: init } = await import(js);
    await init({ module_or_path: module });`;

const hashed = (file) => {
  const bytes = readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const ext = extname(file);
  return `${basename(file, ext)}-${hash}${ext}`;
};
const attr = (tag, name) => tag.match(new RegExp(`${name}="([^"]*)"`))?.[1];

let rustSeen = false;
const html = readFileSync(join(src, 'index.html'), 'utf8').replace(/<link data-trunk[^>]*>/g, (tag) => {
  const rel = attr(tag, 'rel');
  const href = attr(tag, 'href');
  switch (rel) {
    case 'css': {
      const name = hashed(join(src, href));
      copyFileSync(join(src, href), join(dist, name));
      return `<link rel="stylesheet" href="/${name}">`;
    }
    case 'copy-file':
      copyFileSync(join(src, href), join(dist, basename(href)));
      return '';
    case 'rust':
      rustSeen = true;
      return `<script type="module">${loader}\n  </script>`;
    default:
      throw new Error(`index.html: unsupported asset link ${tag}`);
  }
});
if (!rustSeen) throw new Error('index.html: no <link data-trunk rel="rust"> to start the page');
writeFileSync(join(dist, 'index.html'), html);
