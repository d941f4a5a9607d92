import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/tunnel/agent/event-queue.js';
import { ManualClock } from './support/manual-clock.js';

type Event = { kind: 'activity' } | { kind: 'message'; n: number };

describe('agent inbox', () => {
  it('hands out events in order and reports idle only after a full quiet period since the wait began', async () => {
    const clock = new ManualClock();
    const queue = new EventQueue<Event>((e) => e.kind === 'activity');
    const signal = new AbortController().signal;
    queue.push({ kind: 'message', n: 1 });
    expect(await queue.next(clock, 1000, signal)).toEqual({ kind: 'event', event: { kind: 'message', n: 1 } });
    const waiting = queue.next(clock, 1000, signal);
    clock.advance(999);
    queue.push({ kind: 'message', n: 2 });
    expect(await waiting).toEqual({ kind: 'event', event: { kind: 'message', n: 2 } });
    expect(clock.pendingDelays()).toEqual([]);
    const idle = queue.next(clock, 1000, signal);
    clock.advance(1000);
    expect(await idle).toEqual({ kind: 'idle' });
  });

  it('merges queued activity events, so a blocked loop cannot make the queue grow', () => {
    const queue = new EventQueue<Event>((e) => e.kind === 'activity');
    for (let i = 0; i < 1000; i += 1) queue.push({ kind: 'activity' });
    queue.push({ kind: 'message', n: 1 });
    queue.push({ kind: 'activity' });
    expect(queue.length).toBe(2);
  });

  it('rejects a wait when stopped and leaves no timer behind', async () => {
    const clock = new ManualClock();
    const queue = new EventQueue<Event>(() => false);
    const stop = new AbortController();
    const waiting = queue.next(clock, 1000, stop.signal);
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(clock.pendingDelays()).toEqual([]);
  });
});
