#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createSale } from './sales';
import { startStack } from './stack';

const usage = `Usage: seckill-stack [options]
Starts every app on loopback ports and keeps them running until Ctrl-C.
  --gateways N      gateway processes (default 1; port 3000, extra ones 3201..)
  --workers N       order-worker processes (default $WORKERS or 1; ports 3100..)
  --push-nodes N    push-gateway nodes (default $PUSH_NODES or 1; ports 3001..)
  --no-web          do not start the shop page (port 8080)
  --mode M          dist (compiled, default) or source (tsx)
  --demo-stock N    create a demo sale with N items (default 100; 0 for none)
  --demo-delay S    seconds until the demo sale starts (default 20)
  --demo-lottery    the demo sale opens a pre-queue now; its order is drawn at the start
  --demo-challenge N  the demo sale's purchases need a proof of work of N bits (e.g. 16)
  -h, --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gateways: { type: 'string', default: '1' },
      workers: { type: 'string', default: process.env.WORKERS ?? '1' },
      'push-nodes': { type: 'string', default: process.env.PUSH_NODES ?? '1' },
      'no-web': { type: 'boolean', default: false },
      mode: { type: 'string', default: 'dist' },
      'demo-stock': { type: 'string', default: '100' },
      'demo-delay': { type: 'string', default: '20' },
      'demo-lottery': { type: 'boolean', default: false },
      'demo-challenge': { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(usage);
  const count = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > 32) throw new UsageError(`--${name} must be a whole number from ${min} to 32`);
    return n;
  };
  if (values.mode !== 'dist' && values.mode !== 'source') throw new UsageError('--mode must be dist or source');

  const stack = await startStack({
    gateways: count('gateways', values.gateways, 1),
    workers: count('workers', values.workers, 1),
    pushNodes: count('push-nodes', values['push-nodes'], 1),
    web: !values['no-web'],
    mode: values.mode,
    onLine: (name, line) => process.stdout.write(`${name.padEnd(16)} | ${line}\n`),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const demoStock = Number(values['demo-stock']);
  const demo = {
    stock: demoStock,
    delaySeconds: Number(values['demo-delay']),
    lottery: values['demo-lottery'],
    challengeDifficulty: Number(values['demo-challenge']),
  };
  const saleId = demoStock > 0 ? await createDemoSale(stack.gatewayUrls[0]!, stack.env.ADMIN_TOKEN ?? '', demo) : undefined;
  const lines = [
    '',
    'Seckill is running:',
    `  gateway (HTTP API)  ${stack.gatewayUrls.join('  ')}`,
    `  push (WebSocket)    ${stack.pushUrls.join('  ')}`,
    ...(stack.webUrl ? [`  shop page           ${stack.webUrl}/${saleId ? `?sale=${saleId}` : ''}`] : []),
    `  API document        ${stack.gatewayUrls[0]}/openapi.json`,
    ...(saleId
      ? [
          `  demo sale           ${saleId} (${demoStock} items, starts in ${values['demo-delay']} s${demo.lottery ? ', pre-queue open' : ''}${demo.challengeDifficulty ? `, challenge ${demo.challengeDifficulty} bits` : ''})`,
        ]
      : []),
    'Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

class UsageError extends Error {}

async function createDemoSale(
  gatewayUrl: string,
  adminToken: string,
  demo: { stock: number; delaySeconds: number; lottery: boolean; challengeDifficulty: number },
): Promise<string> {
  const { stock } = demo;
  const startsAt = new Date(Date.now() + demo.delaySeconds * 1000);
  const sale = await createSale(gatewayUrl, adminToken, {
    name: 'Demo flash sale',
    stock,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
    ...(demo.lottery ? { prequeueOpensAt: new Date().toISOString() } : {}),
    ...(demo.challengeDifficulty > 0 ? { challengeDifficulty: demo.challengeDifficulty } : {}),
  });
  return sale.id;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
