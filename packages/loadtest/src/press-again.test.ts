import { pressAgainDelayMs, pressUntilAnswered, type PressOutcome } from './press-again';

const outcome = (status: number): PressOutcome => ({ startedAt: 0, answeredAt: 1, status });

describe('pressUntilAnswered', () => {
  const gatewayUrls = ['http://a', 'http://b'];
  /** Presses answered by `answer`, without the waits between them. */
  const pressWith = (answer: (url: string) => PressOutcome, { firstGateway = 0, attempts = 5 } = {}) =>
    pressUntilAnswered(async (url) => answer(url), {
      gatewayUrls,
      firstGateway,
      policy: { attempts, patienceMs: 100 },
      sleep: async () => undefined,
    });

  it('presses again after no answer or a 503, each time on the next gateway, until answered', async () => {
    const answers = [0, 503, 202];
    const sentTo: string[] = [];
    const presses = await pressWith((url) => (sentTo.push(url), outcome(answers.shift()!)), { firstGateway: 1 });
    expect(presses.map((p) => p.status)).toEqual([0, 503, 202]);
    expect(sentTo).toEqual(['http://b', 'http://a', 'http://b']);
  });

  it('takes a refusal as the answer, and gives up after the attempts', async () => {
    expect(await pressWith(() => outcome(410))).toHaveLength(1);
    expect(await pressWith(() => outcome(0), { attempts: 3 })).toHaveLength(3);
  });
});

describe('pressAgainDelayMs', () => {
  it('backs off from 250 ms to 2 s with jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => pressAgainDelayMs(n, () => 0.5))).toEqual([250, 500, 1000, 2000, 2000]);
    expect(pressAgainDelayMs(1, () => 0)).toBe(188);
    expect(pressAgainDelayMs(1, () => 0.999)).toBeLessThanOrEqual(313);
  });
});
