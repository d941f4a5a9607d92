import { useEffect, useState } from 'react';
import type { TrafficSample } from '../../shared/agent-state.js';
import { useAgentApi } from '../api-context.js';
import { appendTraffic } from '../traffic-samples.js';

/** The host's traffic samples of the last minutes, then each new one as it comes. */
export function useTraffic(): readonly TrafficSample[] {
  const api = useAgentApi();
  const [samples, setSamples] = useState<readonly TrafficSample[]>([]);
  useEffect(() => {
    let live = true;
    const unsubscribe = api.onTraffic((sample) => {
      setSamples((current) => appendTraffic(current, [sample]));
    });
    void api.getTraffic().then((history) => {
      if (live) setSamples((current) => appendTraffic(history, current));
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);
  return samples;
}
