import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@seckill/devstack';
import { chaosTopologyProblem, chaosUsage, parseChaosSpec, type ChaosSpec } from './chaos';
import { DEFAULT_BOUNDS, type Bounds } from './invariants';
import { DEFAULT_PRESS_AGAIN, type PressAgainPolicy } from './press-again';

/** Faults injected from outside the apps, to prove the checker catches a broken system (tests only). */
export const FAULTS = ['extra-order', 'lost-push'] as const;
export type Fault = (typeof FAULTS)[number];

export interface Shares {
  /** Click twice at once. */
  doubleClick: number;
  /** Click three times at once. */
  tripleClick: number;
  /** Cancel right after the 202, while still queued. */
  cancel: number;
  /** Also send a malformed purchase request. */
  malformed: number;
  /** Also send a purchase with a forged or expired token. */
  badToken: number;
  /** Lose the push connection while waiting (the SDK reconnects, possibly to another node). */
  reconnect: number;
  /** Hold a second session (another tab) on another push node. */
  secondTab: number;
  /** Click a moment before the sale opens (403), then again with the herd. */
  early: number;
}

export interface LoadtestOptions {
  users: number;
  stock: number;
  /** Most tickets queued at once; undefined leaves the gateway's default (the stock). */
  queueCapacity: number | undefined;
  gateways: number;
  workers: number;
  pushNodes: number;
  external: boolean;
  /** The apps on the clustered topology of `infra up --cluster` (started, and stopped after, if it was not running). */
  cluster: boolean;
  gatewayUrls: string[];
  pushUrls: string[];
  out: string;
  shares: Shares;
  startDelayMs: number;
  timeoutMs: number;
  connections: number;
  localAddresses: number;
  /** Processes holding the shoppers' sockets (0: this process). */
  shards: number;
  retryWaves: number;
  baseline: boolean;
  /** auto: the built apps when every dist/ is newer than its src/, else the TypeScript source. */
  mode: 'source' | 'dist' | 'auto';
  basePort: number;
  /** Test only: faults to inject (none normally). */
  faults: Fault[];
  /** Faults injected into the run's own processes during the herd. */
  chaos: ChaosSpec[];
  bounds: Bounds;
  /** How a shopper presses again after no answer or a 503. */
  pressAgain: PressAgainPolicy;
  /** Extra environment for the started apps (unknown variables are ignored by them). */
  appEnv: Record<string, string>;
  progress: boolean;
  verbose: boolean;
  seed: number;
}

export const usage = `Usage: pnpm loadtest [options]

Starts the apps (unless --external), creates a sale, connects the shoppers through
the client SDK over WebSocket, fires every purchase at the same instant, waits for
every accepted ticket's final state, checks the invariants in PostgreSQL and Redis,
and writes report.json, report.md and timeline.svg. Exits 1 when an invariant fails.

Scale
  --users N            shoppers (default 2000)
  --stock N            items on sale (default 100)
  --queue-capacity N   most tickets queued at once (default: the gateway's, the stock)
  --gateways N         gateway processes to start (default 1)
  --workers N          order-worker processes to start (default 1)
  --push-nodes N       push-gateway nodes to start (default 2)
  --connections N      keep-alive HTTP connections (undici Agent) to each gateway for the
                       herd, split over the shards (default 128)
  --local-addresses N  127.0.0.x source addresses for the WebSockets (default: one per 10k sessions)
  --shards N           child processes holding the shoppers' sockets, 0 for this process
                       (default: 0 up to 5000 sessions, else one per 7000: a process may
                       open 20k files here)

Target
  --cluster            run the apps on the cluster topology: a Redis Cluster (3 primaries,
                       3 replicas), 3 Kafka brokers, 3 NATS servers; \`infra up --cluster\`
                       starts it unless it runs already (then the run stops it at the end)
  --external           test a running deployment instead of starting the apps; needs
                       --gateway-url and --push-urls, and ADMIN_TOKEN, AUTH_SECRET,
                       DATABASE_URL, REDIS_URL in the environment (REDIS_URL may be a
                       redis-cluster:// list)
  --gateway-url URLS   comma-separated gateway base URLs (with --external)
  --push-urls URLS     comma-separated push URLs, ws://host:port/ws (with --external)
  --mode M             source (tsx) or dist (built) apps (default: dist when built and fresh, else source)
  --base-port N        first loopback port of the started apps (default 14000)
  --app-env KEY=VALUE  extra environment for the started apps (repeatable), e.g. ENQUEUE_DEADLINE_MS=5000

Crowd (shares of the shoppers, 0..1)
  --double-click S     click twice at once (default 0.1)
  --triple-click S     click three times at once (default 0.05)
  --cancel S           cancel while still queued (default 0.05)
  --malformed S        also send a broken JSON body or buy an unknown sale (default 0.02)
  --bad-token S        also send a forged, expired or garbage token (default 0.02)
  --reconnect S        lose the WebSocket while waiting and reconnect (default 0.05)
  --second-tab S       keep a second session on another push node (default 0.03)
  --early S            click before the sale opens, then with the herd (default 0.01)
  --patience MS        a purchase with no answer after this long is given up (default ${DEFAULT_PRESS_AGAIN.patienceMs})
  --presses N          presses per purchase: after no answer or a 503 the shopper presses again
                       after a short backoff, on the next gateway (default ${DEFAULT_PRESS_AGAIN.attempts})

Faults (each acts on a process this run started; shown on the timeline and in the report)
  --chaos F[,F]        inject NAME[:s][@ms] during the herd (repeatable); @ms after the herd's
                       instant, :s how long it stays out:
${chaosUsage()}
  --answer-bound MS    every purchase request answered within this long (default ${DEFAULT_BOUNDS.answerBoundMs})
  --settle-bound MS    every ticket final within this long after the faults healed (default ${DEFAULT_BOUNDS.settleBoundMs})

Run
  --start-delay MS     the sale opens this long after every shopper is connected (default 2000)
  --timeout MS         give up waiting for results after this long (default 120000)
  --retry-waves N      rounds where rejected shoppers try again for returned stock (default 5)
  --no-baseline        skip the bare Fastify hello-world measurement
  --out DIR            report folder (default artifacts/loadtest/<timestamp>)
  --seed N             seed for who does what (default: random)
  --no-progress        no progress bars
  --verbose            print the apps' log lines
  --fault F[,F]        TEST ONLY: break the run from outside to prove the checker fails:
                       extra-order (insert an order row beyond the stock in PostgreSQL
                       after the run), lost-push (forget one session's pushed result)
  -h, --help`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, now = new Date()): LoadtestOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      users: { type: 'string', default: '2000' },
      stock: { type: 'string', default: '100' },
      'queue-capacity': { type: 'string' },
      gateways: { type: 'string', default: '1' },
      workers: { type: 'string', default: '1' },
      'push-nodes': { type: 'string', default: '2' },
      external: { type: 'boolean', default: false },
      cluster: { type: 'boolean', default: false },
      'gateway-url': { type: 'string' },
      'push-urls': { type: 'string' },
      out: { type: 'string' },
      'double-click': { type: 'string', default: '0.1' },
      'triple-click': { type: 'string', default: '0.05' },
      cancel: { type: 'string', default: '0.05' },
      malformed: { type: 'string', default: '0.02' },
      'bad-token': { type: 'string', default: '0.02' },
      reconnect: { type: 'string', default: '0.05' },
      'second-tab': { type: 'string', default: '0.03' },
      early: { type: 'string', default: '0.01' },
      'start-delay': { type: 'string', default: '2000' },
      timeout: { type: 'string', default: '120000' },
      connections: { type: 'string', default: '128' },
      'local-addresses': { type: 'string' },
      shards: { type: 'string' },
      'retry-waves': { type: 'string', default: '5' },
      'no-baseline': { type: 'boolean', default: false },
      mode: { type: 'string' },
      'base-port': { type: 'string', default: '14000' },
      fault: { type: 'string' },
      chaos: { type: 'string', multiple: true },
      'answer-bound': { type: 'string', default: String(DEFAULT_BOUNDS.answerBoundMs) },
      'settle-bound': { type: 'string', default: String(DEFAULT_BOUNDS.settleBoundMs) },
      patience: { type: 'string', default: String(DEFAULT_PRESS_AGAIN.patienceMs) },
      presses: { type: 'string', default: String(DEFAULT_PRESS_AGAIN.attempts) },
      'app-env': { type: 'string', multiple: true },
      'no-progress': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';

  const int = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const share = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a share between 0 and 1`);
    return n;
  };
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const users = int('users', values.users, 1, 200_000);
  const pushNodes = int('push-nodes', values['push-nodes'], 1, 32);
  const external = values.external;
  const gatewayUrls = list(values['gateway-url']);
  const pushUrls = list(values['push-urls']);
  if (external) {
    if (gatewayUrls.length === 0 || pushUrls.length === 0) throw new UsageError('--external needs --gateway-url and --push-urls');
    for (const name of ['ADMIN_TOKEN', 'AUTH_SECRET', 'DATABASE_URL', 'REDIS_URL']) {
      if (!env[name]) throw new UsageError(`--external needs ${name} in the environment`);
    }
  } else if (gatewayUrls.length || pushUrls.length) {
    throw new UsageError('--gateway-url and --push-urls only make sense with --external');
  }
  if (external && values.cluster)
    throw new UsageError(
      "--cluster starts the apps on the cluster; with --external, give the apps' addresses (REDIS_URL=redis-cluster://...) instead",
    );
  if (values.mode !== undefined && values.mode !== 'source' && values.mode !== 'dist')
    throw new UsageError('--mode must be source or dist');
  const faults = list(values.fault);
  for (const fault of faults) {
    if (!(FAULTS as readonly string[]).includes(fault)) throw new UsageError(`--fault takes a comma list of ${FAULTS.join(', ')}`);
  }

  const chaos = (values.chaos ?? []).flatMap(list).map((text) => {
    try {
      return parseChaosSpec(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const appEnv: Record<string, string> = {};
  for (const pair of values['app-env'] ?? []) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new UsageError(`--app-env takes KEY=VALUE, got "${pair}"`);
    appEnv[match[1]!] = match[2]!;
  }

  const shares: Shares = {
    doubleClick: share('double-click', values['double-click']),
    tripleClick: share('triple-click', values['triple-click']),
    cancel: share('cancel', values.cancel),
    malformed: share('malformed', values.malformed),
    badToken: share('bad-token', values['bad-token']),
    reconnect: share('reconnect', values.reconnect),
    secondTab: share('second-tab', values['second-tab']),
    early: share('early', values.early),
  };
  if (shares.doubleClick + shares.tripleClick > 1) throw new UsageError('--double-click + --triple-click must not exceed 1');
  const sessions = Math.ceil(users * (1 + shares.secondTab));
  const gateways = external ? gatewayUrls.length : int('gateways', values.gateways, 1, 16);
  const workers = int('workers', values.workers, 1, 32);
  const problem = chaosTopologyProblem(chaos, {
    external,
    cluster: values.cluster,
    gateways,
    workers,
    pushNodes: external ? pushUrls.length : pushNodes,
  });
  if (problem) throw new UsageError(problem);
  const stamp = now.toISOString().replace(/[:.]/g, '-');

  return {
    users,
    stock: int('stock', values.stock, 1, 10_000_000),
    queueCapacity: values['queue-capacity'] === undefined ? undefined : int('queue-capacity', values['queue-capacity'], 1, 10_000_000),
    gateways,
    workers,
    pushNodes: external ? pushUrls.length : pushNodes,
    external,
    cluster: values.cluster,
    gatewayUrls,
    pushUrls,
    // pnpm runs us in the package folder; a relative --out means where the command was typed.
    out:
      values.out !== undefined
        ? path.resolve(env.INIT_CWD ?? process.cwd(), values.out)
        : path.join(repoRoot, 'artifacts', 'loadtest', stamp),
    shares,
    startDelayMs: int('start-delay', values['start-delay'], 200, 600_000),
    timeoutMs: int('timeout', values.timeout, 1_000, 3_600_000),
    connections: int('connections', values.connections, 1, 10_000),
    localAddresses:
      values['local-addresses'] !== undefined
        ? int('local-addresses', values['local-addresses'], 1, 250)
        : Math.max(1, Math.ceil(sessions / 10_000)),
    shards: values.shards !== undefined ? int('shards', values.shards, 0, 64) : sessions <= 5_000 ? 0 : Math.ceil(sessions / 7_000),
    retryWaves: int('retry-waves', values['retry-waves'], 0, 100),
    baseline: !values['no-baseline'],
    mode: (values.mode as 'source' | 'dist' | undefined) ?? 'auto',
    basePort: int('base-port', values['base-port'], 1024, 60_000),
    faults: faults as Fault[],
    chaos,
    bounds: {
      answerBoundMs: int('answer-bound', values['answer-bound'], 1, 3_600_000),
      settleBoundMs: int('settle-bound', values['settle-bound'], 1, 3_600_000),
      // The gateways' admission deadline, as the apps get it (the invariants know when an admission is over).
      admissionTimeoutMs: Number(appEnv.ADMISSION_TIMEOUT_MS ?? env.ADMISSION_TIMEOUT_MS ?? DEFAULT_BOUNDS.admissionTimeoutMs),
    },
    pressAgain: { attempts: int('presses', values.presses, 1, 20), patienceMs: int('patience', values.patience, 100, 3_600_000) },
    appEnv,
    progress: !values['no-progress'],
    verbose: values.verbose,
    seed: values.seed !== undefined ? int('seed', values.seed, 0, 2 ** 31) : Math.floor(Math.random() * 2 ** 31),
  };
}
