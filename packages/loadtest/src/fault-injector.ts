import type { AppRestart } from '@seckill/devstack';
import { faultKind, type ChaosSpec } from './chaos';
import { killClusterNode } from './cluster-faults';
import type { FaultWindow } from './invariants';
import type { Target } from './target';

/** What happened to one fault (times epoch ms). */
export interface FaultRecord {
  /** As asked (`kafka-freeze:8@20`), or `<app> exited` for an app the supervisor restarted. */
  name: string;
  /** Planned offset from the herd's instant; undefined for a supervisor's restart. */
  plannedAtMs?: number;
  startedAt?: number;
  healedAt?: number;
  /** What was done, in order, for the report. */
  details: string[];
  error?: string;
}

export interface Chaos {
  /** The planned faults, then the apps the supervisor restarted. */
  all(): FaultRecord[];
  /** Whether some fault is still to start or to heal. */
  pending(): boolean;
  /** When everything healed (the last heal), once nothing is pending; undefined before, or without faults. */
  healedAt(): number | undefined;
  /** Resolves once every fault is over (healed or failed) and every app the supervisor restarts is up, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  /** The planned faults and the supervisor's restarts, as the invariants see them. */
  windows(): FaultWindow[];
  /** Cancel the faults not started yet. */
  cancel(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Schedule each fault at `herdAt + atMs` against the run's own apps and servers (and the cluster's nodes, for the sale `saleId`). */
export function scheduleFaults(
  specs: readonly ChaosSpec[],
  target: Target,
  { herdAt, saleId }: { herdAt: number; saleId: string },
  log: (line: string) => void,
): Chaos {
  const records: FaultRecord[] = specs.map((spec) => ({ name: spec.text, plannedAtMs: spec.atMs, details: [] }));
  const timers: NodeJS.Timeout[] = [];
  const at = (epoch: number) => `+${Math.round(epoch - herdAt)} ms`;
  const runs = specs.map(
    (spec, i) =>
      new Promise<void>((resolve) => {
        const record = records[i]!;
        timers.push(
          setTimeout(
            () => {
              inject(spec, target, record)
                .catch((error: unknown) => void (record.error = error instanceof Error ? error.message : String(error)))
                .finally(() => {
                  log(`fault ${record.name}: ${record.details.join('; ')}${record.error ? `; FAILED: ${record.error}` : ''}`);
                  resolve();
                });
            },
            Math.max(0, herdAt + spec.atMs - Date.now()),
          ),
        );
        record.details.push(`planned at +${spec.atMs} ms`);
      }),
  );
  let over = specs.length === 0;
  const all = Promise.all(runs).then(() => void (over = true));
  const supervised = (): FaultRecord[] => target.restarts.map((restart) => supervisorRecord(restart, at));
  const everything = () => [...records, ...supervised()];
  const pending = () => !over || target.restarts.some((restart) => restart.readyAt === undefined && restart.error === undefined);
  return {
    all: everything,
    pending,
    healedAt() {
      const done = everything();
      if (done.length === 0 || pending()) return undefined;
      return Math.max(...done.map((record) => record.healedAt ?? record.startedAt ?? herdAt));
    },
    // The planned faults, then the apps the supervisor is still starting again (one that exited on
    // its own, e.g. a worker crashing on a restarted broker, may still be joining its group).
    async settled(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      await Promise.race([all, sleep(timeoutMs)]);
      while (pending() && Date.now() < deadline) await sleep(250);
    },
    windows: () =>
      everything()
        .filter((record) => record.startedAt !== undefined)
        .map((record) => ({
          name: record.name,
          startedAt: record.startedAt!,
          ...(record.healedAt !== undefined ? { healedAt: record.healedAt } : {}),
        })),
    cancel: () => timers.forEach(clearTimeout),
  };

  function supervisorRecord(restart: AppRestart, stamp: (epoch: number) => string): FaultRecord {
    return {
      name: `${restart.name} exited`,
      startedAt: restart.exitedAt,
      ...(restart.readyAt !== undefined ? { healedAt: restart.readyAt } : {}),
      details: [
        `${restart.name} (pid ${restart.pid}) exited on its own at ${stamp(restart.exitedAt)} (${restart.signal ?? `code ${restart.exitCode}`})`,
        ...(restart.readyAt !== undefined ? [`started again by the supervisor, ready at ${stamp(restart.readyAt)}`] : []),
      ],
      ...(restart.error ? { error: restart.error } : {}),
    };
  }

  async function inject(spec: ChaosSpec, on: Target, record: FaultRecord): Promise<void> {
    const kind = faultKind(spec.fault);
    const downMs = spec.seconds * 1000;
    if (kind.kind === 'app-kill') {
      const victim = on.stack?.processes.filter((proc) => proc.app === kind.app).at(-1);
      if (!on.stack || !victim) throw new Error(`no ${kind.app} of this run to kill`);
      record.startedAt = Date.now();
      record.details.push(`SIGKILL ${victim.name} (pid ${victim.child.pid}) at ${at(record.startedAt)}`);
      const restart = await on.stack.kill(victim.name, { restartAfterMs: downMs });
      if (restart.restartedAt !== undefined) record.details.push(`started again (pid ${restart.newPid}) at ${at(restart.restartedAt)}`);
      if (restart.readyAt !== undefined) {
        record.healedAt = restart.readyAt;
        record.details.push(`ready at ${at(restart.readyAt)}`);
      }
      if (restart.error) throw new Error(restart.error);
      return;
    }
    if (kind.kind === 'node-kill') {
      if (!on.cluster) throw new Error('the run has no cluster topology (--cluster)');
      await killClusterNode({
        kind: kind.node,
        cluster: on.cluster,
        saleId,
        ordersTopic: on.env.ORDERS_TOPIC ?? '',
        workerGroup: on.env.ORDER_WORKER_GROUP ?? '',
        downMs,
        at,
        steps: {
          killed: (killedAt, detail) => {
            record.startedAt = killedAt;
            record.details.push(detail);
          },
          step: (detail) => record.details.push(detail),
          healed: (healedAt, detail) => {
            record.healedAt = healedAt;
            record.details.push(detail);
          },
        },
      });
      return;
    }
    const server = on.owned[kind.server];
    if (!server) throw new Error(`the run owns no ${kind.server} server`);
    if (kind.kind === 'freeze') {
      const pid = server.pid();
      server.freeze();
      record.startedAt = Date.now();
      record.details.push(`SIGSTOP ${kind.server} (pid ${pid}) at ${at(record.startedAt)}`);
      await sleep(downMs);
      server.thaw();
      record.healedAt = Date.now();
      record.details.push(`SIGCONT at ${at(record.healedAt)}`);
      return;
    }
    const pid = server.pid();
    record.startedAt = Date.now();
    record.details.push(`stopping ${kind.server} (pid ${pid}) at ${at(record.startedAt)}`);
    const times = await server.restart({ downMs });
    record.startedAt = times.stoppedAt;
    record.healedAt = times.readyAt;
    record.details.push(`serving again (pid ${server.pid()}${kind.server === 'redis' ? ', empty' : ''}) at ${at(times.readyAt)}`);
  }
}
