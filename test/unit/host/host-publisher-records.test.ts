import { describe, expect, it } from 'vitest';
import { HostPublisher } from '../../../src/host/host-publisher.js';
import type { AgentSnapshot } from '../../../src/shared/agent-state.js';

function publisher(): HostPublisher {
  const state = { snapshot: (): AgentSnapshot => ({}) as AgentSnapshot, streams: () => [] };
  return new HostPublisher(state, { secrets: () => [], now: () => 0 });
}

describe("the host's own log records", () => {
  it('are printable and bounded like the engine’s: a name with a newline and an escape sequence cannot forge a line', () => {
    const host = publisher();
    host.log('info', 'imported\nERROR forged line', { file: 'a\u001b[31mred\n.toml', long: 'x'.repeat(100_000) });
    const [record] = host.allRecords();
    expect(record?.message).not.toContain('\n');
    expect(String(record?.fields.file)).not.toContain('\n');
    expect(String(record?.fields.file)).not.toContain('\u001b');
    expect(String(record?.fields.long).length).toBeLessThan(5_000);
    expect(String(record?.fields.long)).toMatch(/\[100000 bytes\]$/);
  });
});
