/**
 * The version this agent announces in `Hello` and logs in `up and running`: the reference's
 * 1.3.0, whose protocol it speaks byte for byte (the gateway decides by this version which
 * challenge construction and features an agent gets). The desktop app's own version is separate.
 */
import type { Version } from '../codec/index.js';

export const AGENT_VERSION: Version = Object.freeze({ major: 1n, minor: 3n, patch: 0n });

export const AGENT_VERSION_TEXT = '1.3.0';
