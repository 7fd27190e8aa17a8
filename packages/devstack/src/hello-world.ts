import path from 'node:path';
import { startNodeProcess, stopProcess, waitUntilAnswers, type NodeProcess, type NodeProcessOptions } from './processes';

/** Beside `src` and `dist`, so the source and the built devstack both find it. */
const helloWorldScript = path.resolve(__dirname, '../hello-world-server.js');

export interface HelloWorld {
  process: NodeProcess;
  url: string;
  stop(): Promise<void>;
}

/** The bare Fastify hello-world (`hello-world-server.js`) on `port`, once it answers. */
export async function startHelloWorld(port: number, options: Pick<NodeProcessOptions, 'nodeFlags' | 'output'> = {}): Promise<HelloWorld> {
  const proc = startNodeProcess({ name: 'hello-world server', script: helloWorldScript, env: { PORT: String(port) }, ...options });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswers(proc, `${url}/`);
  } catch (error) {
    await stopProcess(proc, { signal: 'SIGKILL' });
    throw error;
  }
  return {
    process: proc,
    url,
    stop: async () => {
      await stopProcess(proc);
    },
  };
}
