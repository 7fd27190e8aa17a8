import { createThroughputMeter } from './throughput-meter';

describe('throughput meter', () => {
  it('reports the first busy second as it was, then moves smoothly towards new rates', () => {
    let now = 0;
    const meter = createThroughputMeter({ tauMs: 5_000, clock: () => now });
    meter.record(1000);
    now += 1000;
    expect(meter.tick()).toBe(1000);
    meter.record(2000);
    now += 1000;
    const next = meter.tick();
    expect(next).toBeGreaterThan(1000);
    expect(next).toBeLessThan(2000);
  });

  it('keeps the last sustained rate through idle seconds', () => {
    let now = 0;
    const meter = createThroughputMeter({ clock: () => now });
    meter.record(500);
    now += 1000;
    meter.tick();
    now += 5000;
    expect(meter.tick()).toBe(500);
  });
});
