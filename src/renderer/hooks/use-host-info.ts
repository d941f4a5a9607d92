import { useEffect, useState } from 'react';
import type { HostInfo } from '../../shared/agent-api.js';
import { useAgentApi } from '../api-context.js';

export function useHostInfo(): HostInfo | null {
  const api = useAgentApi();
  const [info, setInfo] = useState<HostInfo | null>(null);
  useEffect(() => {
    let live = true;
    void api.getHostInfo().then((value) => {
      if (live) setInfo(value);
    });
    return () => {
      live = false;
    };
  }, [api]);
  return info;
}
