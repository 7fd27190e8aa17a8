import { serverTiming } from './shard/responses';
import { assignBehaviours, seededRandom } from './crowd';

const shares = {
  doubleClick: 0.1,
  tripleClick: 0.05,
  cancel: 0.05,
  malformed: 0.02,
  badToken: 0.02,
  reconnect: 0.05,
  secondTab: 0.03,
  early: 0.01,
};

describe('assignBehaviours', () => {
  it('gives each behaviour to its share of the shoppers', () => {
    const crowd = assignBehaviours(1000, shares, seededRandom(7));
    expect(crowd.filter((b) => b.clicks === 2)).toHaveLength(100);
    expect(crowd.filter((b) => b.clicks === 3)).toHaveLength(50);
    expect(crowd.filter((b) => b.cancel)).toHaveLength(50);
    expect(crowd.filter((b) => b.badToken)).toHaveLength(20);
    expect(crowd.filter((b) => b.secondTab)).toHaveLength(30);
    expect(crowd.filter((b) => b.early)).toHaveLength(10);
  });

  it('is reproducible from the seed', () => {
    expect(assignBehaviours(200, shares, seededRandom(42))).toEqual(assignBehaviours(200, shares, seededRandom(42)));
    expect(assignBehaviours(200, shares, seededRandom(42))).not.toEqual(assignBehaviours(200, shares, seededRandom(43)));
  });
});

describe('serverTiming', () => {
  it("reads the gateway's own time from its Server-Timing header", () => {
    expect(serverTiming('app;dur=12.5')).toBe(12.5);
    expect(serverTiming('cache;dur=1, app;dur=3')).toBe(3);
    expect(serverTiming(null)).toBeUndefined();
    expect(serverTiming('db;dur=4')).toBeUndefined();
  });
});
