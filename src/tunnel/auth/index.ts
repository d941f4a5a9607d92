/** Keys, agent ID and the challenge sealed box (PROTOCOL.md §6). */
export { decodeBase64url, decodeKeyText, encodeBase64url, KEY_LENGTH, KeyTextError } from './base64url.js';
export { REDACTED_SECRET_KEY, SecretKey } from './secret-key.js';
export { agentIdOf, generateKeyPair, keyPairOf, publicKeyOf, type KeyPair } from './key-pair.js';
export {
  boxKey,
  challengeNonce,
  openChallenge,
  sealChallenge,
  type ChallengeBox,
  type ChallengeFailure,
  type OpenChallengeResult,
} from './challenge-box.js';
