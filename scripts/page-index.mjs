// Writes dist/index.html from www/index.html, resolving the page's asset links:
//   <link data-trunk rel="css" href="F">        -> F copied as F-<hash>.css, linked
//   <link data-trunk rel="copy-file" href="F">  -> F copied as is
//   <link data-trunk rel="rust" ...>            -> the wasm-bindgen module, preloaded and started
// The data-trunk spelling is kept so the page's source stays readable by trunk users too.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const [src, dist, js, wasm] = process.argv.slice(2);
if (!wasm) {
  console.error('usage: page-index.mjs <www dir> <dist dir> <module.js> <module_bg.wasm>');
  process.exit(2);
}

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
      return [
        `<link rel="modulepreload" href="/${js}">`,
        `<link rel="preload" href="/${wasm}" as="fetch" type="application/wasm" crossorigin>`,
        `<script type="module">import init from '/${js}'; init({ module_or_path: '/${wasm}' });</script>`,
      ].join('\n  ');
    default:
      throw new Error(`index.html: unsupported asset link ${tag}`);
  }
});
if (!rustSeen) throw new Error('index.html: no <link data-trunk rel="rust"> to start the page');
writeFileSync(join(dist, 'index.html'), html);
