/** The bench's child processes: devstack's, under tsx, never left behind. */
import path from 'node:path';
import { startNodeProcess, stopProcess, type NodeProcess } from '@seckill/devstack';

export { freePort, waitForOutput } from '@seckill/devstack';

const appRoot = path.resolve(__dirname, '..');

// Never leave a node, a shard or the emitter behind (each is killed with this process), even on Ctrl-C.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

/** Node flags of a server whose RSS is read: `settledRssKib` can then have it collect its garbage first. */
export const MEASURED_SERVER_FLAGS = ['--expose-gc', '--require', path.join(__dirname, 'gc-on-signal.cjs')];

/**
 * `script` (relative to the app) under tsx with the source condition. Its stdout is kept for
 * `waitForOutput` (and printed on our stderr with `printStdout`); its stderr is printed on ours.
 */
export function spawnTs(
  script: string,
  env: Record<string, string>,
  options: { nodeFlags?: string[]; ipc?: boolean; printStdout?: boolean } = {},
): NodeProcess {
  return startNodeProcess({
    name: script,
    script: path.join(appRoot, script),
    cwd: appRoot,
    env,
    nodeFlags: options.nodeFlags ?? [],
    ipc: options.ipc ?? false,
    killWithParent: true,
    onLine: (line, stream) => {
      if (stream === 'stderr' || options.printStdout) process.stderr.write(`${line}\n`);
    },
  });
}

/** SIGTERM each process still running and wait for it to exit. */
export async function stopProcesses(processes: readonly NodeProcess[]): Promise<void> {
  await Promise.all(processes.map((proc) => stopProcess(proc)));
}
