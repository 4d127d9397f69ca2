'use strict';
// Node, CommonJS (and the ESM entry, which re-exports this one so both share one wasm instance).
const raw = require('./wasm-node/peerkeeper_web.js');
const { bind } = require('./api.cjs');

module.exports = bind(raw);
