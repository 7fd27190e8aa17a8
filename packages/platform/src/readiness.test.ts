import { probeDependencies } from './readiness';

describe('probeDependencies', () => {
  it('reports each probe up or down, with why', async () => {
    const outcomes = await probeDependencies(
      {
        fine: async () => 'pong',
        broken: async () => {
          throw new Error('refused');
        },
        throwsAtOnce: () => {
          throw new Error('closed');
        },
        hanging: () => new Promise(() => undefined),
      },
      50,
    );
    expect(outcomes).toEqual({
      fine: { up: true },
      broken: { up: false, error: 'Error: refused' },
      throwsAtOnce: { up: false, error: 'Error: closed' },
      hanging: { up: false, error: 'DeadlineExceededError: hanging did not answer in 50 ms' },
    });
  });
});
