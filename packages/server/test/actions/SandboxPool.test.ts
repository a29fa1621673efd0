import { createLogger } from '../../src/logger';
import { SandboxPool } from '../../src/actions/SandboxPool';

const logger = createLogger('silent', { write: () => undefined });

describe('SandboxPool', () => {
  it('reuses a warm sandbox of the same memory cap, and starts another for another cap', async () => {
    const pool = new SandboxPool(4, logger);
    try {
      const first = pool.take(64);
      pool.give(first);
      expect(pool.take(64)).toBe(first);
      const other = pool.take(128);
      expect(other).not.toBe(first);
      expect(other.memoryMb).toBe(128);
      pool.give(first);
      pool.give(other);
      expect(pool.warmCount).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('replaces a sandbox that was stopped, and stops all but one sandbox idle past the idle time', async () => {
    const pool = new SandboxPool(4, logger, 100);
    try {
      const sandboxes = [pool.take(64), pool.take(64), pool.take(64)];
      await sandboxes[0]!.stop();
      for (const sandbox of sandboxes) pool.give(sandbox);
      expect(pool.warmCount).toBe(3); // two given back, one fresh in place of the stopped one
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(pool.warmCount).toBe(1);
      await sandboxes[1]!.exited; // among the longest idle: stopped, the last given back stays warm
      expect(sandboxes[2]!.usable).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
