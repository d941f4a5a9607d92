import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/tunnel/agent/connect-error.js';

describe('describeError', () => {
  it('drops the Node-runtime advice that Node 24 appends to certificate errors', () => {
    const error = new Error(
      'unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
    );
    expect(describeError(error)).toBe('unable to verify the first certificate');
  });

  it('keeps every other message whole', () => {
    expect(describeError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(describeError('plain text')).toBe('plain text');
  });
});
