/** Network helpers shared by the engine, the gateway and the host: what counts as loopback. */
export { isLoopbackHost, isLoopbackHostHeader } from './loopback-host.js';
