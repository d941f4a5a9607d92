import { describe, expect, it } from 'vitest';
import { levelEnabled } from '../../../src/shared/log-record.js';

describe('levelEnabled', () => {
  it('lets more severe levels through a threshold and holds back less severe ones', () => {
    expect(levelEnabled('error', 'info')).toBe(true);
    expect(levelEnabled('info', 'info')).toBe(true);
    expect(levelEnabled('debug', 'info')).toBe(false);
    expect(levelEnabled('trace', 'debug')).toBe(false);
  });
});
