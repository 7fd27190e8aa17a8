import { createSoldOutMemory } from './sold-out-memory';

describe('sold-out memory', () => {
  it('remembers a sold-out sale until its time-to-live passes', () => {
    let now = 1000;
    const memory = createSoldOutMemory({ ttlMs: 500, clock: () => now });
    memory.remember('s1');
    expect(memory.isSoldOut('s1')).toBe(true);
    expect(memory.isSoldOut('s2')).toBe(false);
    now = 1499;
    expect(memory.isSoldOut('s1')).toBe(true);
    now = 1500;
    expect(memory.isSoldOut('s1')).toBe(false);
  });

  it('forgets a sale at once when stock comes back', () => {
    const memory = createSoldOutMemory({ ttlMs: 60_000, clock: () => 0 });
    memory.remember('s1');
    memory.forget('s1');
    expect(memory.isSoldOut('s1')).toBe(false);
  });

  it('remembers nothing when disabled with a zero time-to-live', () => {
    const memory = createSoldOutMemory({ ttlMs: 0, clock: () => 0 });
    memory.remember('s1');
    expect(memory.isSoldOut('s1')).toBe(false);
  });
});
