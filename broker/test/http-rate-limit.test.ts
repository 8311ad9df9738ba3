import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../src/http/rate-limit.js';

describe('FailureLimiter', () => {
  it('blocks a key after max failures within the window until the oldest ages out', () => {
    const limiter = new FailureLimiter(3, 1000);
    expect(limiter.retryAfter('a', 0)).toBe(0);
    limiter.fail('a', 0);
    limiter.fail('a', 100);
    expect(limiter.retryAfter('a', 200)).toBe(0);
    limiter.fail('a', 200);
    expect(limiter.retryAfter('a', 300)).toBe(700);
    expect(limiter.retryAfter('b', 300)).toBe(0);
    expect(limiter.retryAfter('a', 1001)).toBe(0);
  });

  it('forgets a key on reset and bounds the number of keys it keeps', () => {
    const limiter = new FailureLimiter(1, 1000, 2);
    limiter.fail('a', 0);
    limiter.reset('a');
    expect(limiter.retryAfter('a', 1)).toBe(0);
    limiter.fail('x', 0);
    limiter.fail('y', 0);
    limiter.fail('z', 0);
    expect(limiter.retryAfter('x', 1)).toBe(0);
    expect(limiter.retryAfter('z', 1)).toBeGreaterThan(0);
  });
});
