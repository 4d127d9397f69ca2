// js-libp2p nodes for the interop tests: a listener the page dials, and clients that dial
// the native node. Loopback only; the gater lets js-libp2p dial 127.0.0.1, which it refuses
// by default.
import './polyfill.mjs';
import { createLibp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { webRTCDirect } from '@libp2p/webrtc';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';

export const JS_AGENT = 'js-libp2p-interop/1.0.0';

const allowLoopback = {
  denyDialMultiaddr: async () => false,
};

/** A js-libp2p node listening on websocket and webrtc-direct on 127.0.0.1. */
export async function startListener() {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws', '/ip4/127.0.0.1/udp/0/webrtc-direct'] },
    // No STUN servers: the tests stay on loopback, and js-libp2p's default list (public
    // hostnames) would be looked up on every connection.
    transports: [webSockets(), webRTCDirect({ rtcConfiguration: { iceServers: [] } })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: allowLoopback,
    nodeInfo: { userAgent: JS_AGENT },
    services: { identify: identify(), ping: ping() },
  });
}

/** A js-libp2p client that dials over websocket and listens nowhere. */
export async function startClient() {
  return createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: allowLoopback,
    nodeInfo: { userAgent: JS_AGENT },
    services: { identify: identify(), ping: ping() },
  });
}
