import cliProgress from 'cli-progress';

export interface PhaseBar {
  update(value: number, extra?: string): void;
  stop(): void;
}

/** One progress bar per phase on a terminal; silent elsewhere (CI logs, tests). */
export function createProgress(enabled: boolean): (phase: string, total: number) => PhaseBar {
  return (phase, total) => {
    if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
    const bar = new cliProgress.SingleBar(
      {
        format: `${phase.padEnd(22)} [{bar}] {value}/{total} {extra}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { extra: '' });
    return {
      update: (value, extra = '') => bar.update(value, { extra }),
      stop: () => bar.stop(),
    };
  };
}
