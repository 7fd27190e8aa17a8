import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { relaunchable } from './owned-port-server';
import { freePort, portOpen, spawnOwned, waitUntil, type OwnedChild } from './owned-process';
import type { OwnedServer } from './owned-server';
import { repoRoot } from './processes';

const run = promisify(execFile);
const infraKafka = path.join(repoRoot, 'infra', 'kafka');
const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
/** Short-lived tool JVM: small heap, C1 only, so it starts in about a second (as infra/bin/infra). */
const TOOL_OPTS = [
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  `-Dlog4j2.configurationFile=${path.join(infraKafka, 'log4j2.properties')}`,
  '-Dkafka.log.level=WARN',
];
const BROKER_OPTS = [
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  `-Dlog4j2.configurationFile=${path.join(infraKafka, 'log4j2.properties')}`,
];
const START_TIMEOUT_MS = 90_000;

/**
 * The folder of Kafka jars `infra/bin/infra` keeps: `KAFKA_LIBS`, else this checkout's
 * `.infra/kafka/libs`, else the main worktree's (a `git worktree` shares it), when they were
 * copied for this `infra/kafka/pom.xml`; else `infra libs` fetches them here (Maven, cached).
 */
export async function kafkaLibsDir(): Promise<string> {
  if (process.env.KAFKA_LIBS) return process.env.KAFKA_LIBS;
  const pomHash = createHash('sha256')
    .update(readFileSync(path.join(infraKafka, 'pom.xml')))
    .digest('hex');
  const candidates = [repoRoot];
  const common = await run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repoRoot }).catch(() => undefined);
  if (common) candidates.push(path.dirname(common.stdout.trim()));
  for (const root of candidates) {
    const libs = path.join(root, '.infra', 'kafka', 'libs');
    const stamp = path.join(libs, '.pom.sha256');
    if (existsSync(stamp) && readFileSync(stamp, 'utf8').split(/\s/)[0] === pomHash) return libs;
  }
  const { stdout } = await run('bash', [path.join(repoRoot, 'infra', 'bin', 'infra'), 'libs'], { timeout: 600_000 });
  return stdout.trim().split('\n').at(-1)!;
}

/** A KRaft cluster id as Kafka's `Uuid.randomUuid()` prints it: 16 random bytes, base64url, no leading '-'. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * A single-node KRaft broker of our own (infra's server.properties on a spare port and its own
 * data dir), from infra's jar cache. It takes 10-20 s to start: start it once per run, beside
 * the rest of the setup. A restart is a controlled shutdown (SIGTERM) and a start on the same data.
 */
export async function startOwnedKafka(options: { dir: string; port?: number; heapOpts?: string }): Promise<OwnedServer> {
  await mkdir(options.dir, { recursive: true });
  const [libs, port, controllerPort] = await Promise.all([kafkaLibsDir(), options.port ?? freePort(), freePort()]);
  const classpath = path.join(libs, '*');
  const properties = path.join(options.dir, 'server.properties');
  const template = await readFile(path.join(infraKafka, 'server.properties'), 'utf8');
  await writeFile(
    properties,
    template
      .replaceAll('@PORT@', String(port))
      .replaceAll('@CONTROLLER_PORT@', String(controllerPort))
      .replaceAll('@DATA_DIR@', path.join(options.dir, 'data')),
  );
  await run(
    java,
    [
      ...TOOL_OPTS,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      randomClusterId(),
      '-c',
      properties,
      '--standalone',
      '--ignore-formatted',
    ],
    { timeout: 60_000 },
  );

  const address = `127.0.0.1:${port}`;
  const logFile = path.join(options.dir, 'server.log');
  const heap = (options.heapOpts ?? process.env.KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m').split(/\s+/).filter(Boolean);
  const launch = async (): Promise<OwnedChild> => {
    const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
    const broker = spawnOwned(java, [...heap, ...BROKER_OPTS, '-cp', classpath, 'kafka.Kafka', properties], { logFile });
    const tail = () => readLogTail(logFile);
    // It accepts connections a little before it serves requests; this line comes once it does.
    const started = () => existsSync(logFile) && readFileSync(logFile).subarray(logStart).toString().includes('Kafka Server started');
    await waitUntil(
      async () => {
        if (broker.child.exitCode !== null) throw new Error(`kafka broker exited with ${broker.child.exitCode}:\n${tail()}`);
        return started() && (await portOpen(port));
      },
      `kafka broker on ${address}`,
      START_TIMEOUT_MS,
      tail,
    ).catch(async (error: unknown) => {
      await broker.stop({ signal: 'SIGKILL' });
      throw error;
    });
    return broker;
  };
  return relaunchable({
    kind: 'kafka',
    address,
    port,
    dir: options.dir,
    launch,
    stopToRestart: (broker) => broker.stop({ signal: 'SIGTERM', graceMs: 20_000 }),
    // Its data goes with it, so no controlled shutdown.
    stopForGood: (broker) => broker.stop({ signal: 'SIGKILL' }),
  });
}

function readLogTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
