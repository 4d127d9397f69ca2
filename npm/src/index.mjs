// Node, ES modules: the CommonJS build re-exported, so `import` and `require` in one app share
// one engine instance.
import api from './index.cjs';

export const { PeerManager, decay, bump, version, goodbyeCode } = api;
export default api;
