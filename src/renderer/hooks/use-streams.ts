import { useEffect, useRef, useState } from 'react';
import type { StreamInfo } from '../../shared/agent-state.js';
import { useAgentApi } from '../api-context.js';
import { StreamRowBuilder, type StreamRow } from '../stream-rows.js';

/** Rows re-derived at this pace: durations tick and rates settle even when no batch arrives. */
const TICK_MS = 250;

/** The live stream table, rebuilt at most four times a second. */
export function useStreams(): { readonly rows: readonly StreamRow[]; readonly now: number } {
  const api = useAgentApi();
  const latest = useRef<readonly StreamInfo[]>([]);
  const [view, setView] = useState<{ rows: readonly StreamRow[]; now: number }>({ rows: [], now: Date.now() });
  useEffect(() => {
    const builder = new StreamRowBuilder();
    let dirty = true;
    const rebuild = (): void => {
      const now = Date.now();
      // Nothing live and nothing new: keep the same rows (and skip React's work).
      const live = latest.current.some((s) => s.phase !== 'closed');
      if (!dirty && !live) return;
      dirty = false;
      setView({ rows: builder.rows(latest.current, now), now });
    };
    const unsubscribe = api.onStreams((streams) => {
      latest.current = streams;
      dirty = true;
    });
    rebuild();
    const timer = setInterval(rebuild, TICK_MS);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [api]);
  return view;
}
