import { useEffect, useState } from 'react';
import type { LogRecord } from '../../shared/log-record.js';
import { useAgentApi } from '../api-context.js';
import { appendLogRecords, MAX_TAIL } from '../log-tail.js';

/** Every log record the host kept plus each new one, newest last, at most MAX_TAIL. */
export function useLogTail(): readonly LogRecord[] {
  const api = useAgentApi();
  const [records, setRecords] = useState<readonly LogRecord[]>([]);
  useEffect(() => {
    let live = true;
    const unsubscribe = api.onLog((batch) => {
      setRecords((current) => appendLogRecords(current, batch));
    });
    void api.getLogs({ level: 'trace', text: '', limit: MAX_TAIL }).then((initial) => {
      if (live) setRecords((current) => appendLogRecords(initial, current));
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);
  return records;
}
