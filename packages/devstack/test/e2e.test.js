"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_crypto_1 = require("node:crypto");
const db_1 = require("@seckill/db");
const platform_1 = require("@seckill/platform");
const testing_1 = require("@seckill/platform/testing");
const ws_1 = __importDefault(require("ws"));
const src_1 = require("../src");
// One order end to end through real processes: gateway -> Kafka -> order-worker ->
// PostgreSQL, Redis and NATS -> push-gateway -> the shopper's WebSocket.
describe('a purchase, end to end', () => {
    let stack;
    const prisma = (0, db_1.createPrismaClient)({ databaseUrl: testing_1.testServices.databaseUrl });
    beforeAll(async () => {
        stack = await (0, src_1.startStack)({ basePorts: { gateway: 13000, pushGateway: 13001, worker: 13100 }, env: { LOG_LEVEL: 'warn' } });
    }, 120_000);
    afterAll(async () => {
        await stack?.stop();
        await prisma.$disconnect();
    });
    it('pushes the result to the shopper and records the order', async () => {
        const gatewayUrl = stack.gatewayUrls[0];
        const adminToken = stack.env.ADMIN_TOKEN;
        const token = (0, platform_1.createUserTokenSigner)(stack.env.AUTH_SECRET)(`e2e-${(0, node_crypto_1.randomUUID)()}`);
        const saleResponse = await fetch(`${gatewayUrl}/api/admin/sales`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
            body: JSON.stringify({
                name: 'e2e sale',
                stock: 5,
                startsAt: new Date(Date.now() - 1000).toISOString(),
                endsAt: new Date(Date.now() + 600_000).toISOString(),
            }),
        });
        expect(saleResponse.status).toBe(201);
        const sale = (await saleResponse.json());
        const socket = new ws_1.default(stack.pushUrls[0]);
        const messages = [];
        socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        socket.send(JSON.stringify({ type: 'auth', token }));
        await (0, testing_1.waitFor)(() => messages.find((m) => m.type === 'ready'), { what: 'the push session to be ready' });
        const buyResponse = await fetch(`${gatewayUrl}/api/sales/${sale.id}/orders`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
        });
        expect(buyResponse.status).toBe(202);
        const receipt = (await buyResponse.json());
        expect(receipt.status).toBe('QUEUED');
        const pushed = await (0, testing_1.waitFor)(() => messages.find((m) => m.type === 'ticket' && m.ticketId === receipt.ticketId && m.status === 'SUCCEEDED'), { what: 'the pushed result', timeoutMs: 30_000 });
        socket.close();
        const polled = (await (await fetch(`${gatewayUrl}/api/tickets/${receipt.ticketId}`, { headers: { authorization: `Bearer ${token}` } })).json());
        expect(polled).toMatchObject({ status: 'SUCCEEDED', orderId: pushed.orderId });
        const order = await prisma.order.findUnique({ where: { ticketId: receipt.ticketId } });
        expect(order).toMatchObject({ id: pushed.orderId, saleId: sale.id, status: 'PENDING_PAYMENT' });
        expect((await prisma.sale.findUnique({ where: { id: sale.id } }))?.stock).toBe(4);
    }, 60_000);
});
//# sourceMappingURL=e2e.test.js.map