export { createPrismaClient } from './create-prisma-client';
export { databaseUrlFromEnv, localDatabaseUrl } from './database-url';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate/migrate';
export { ClosedStatus, OrderStatus, Prisma, PrismaClient, type ClosedTicket, type Order, type Sale } from './generated/prisma/client';
export {
  findTicketOutcome,
  listHeldOutcomesOfSale,
  listTicketOutcomesOfUser,
  recordClosedTickets,
  type ClosedTicketInput,
  type TicketOutcome,
} from './ticket-outcomes';

/**
 * How long a payment's claim on an order holds (the provider's call must be over well before):
 * the expiry sweep leaves a claimed order alone that long, and a later pay may take the claim over
 * (charging again with the same idempotency key, which the provider deduplicates).
 */
export const PAYMENT_CLAIM_TIMEOUT_SECONDS = 300;
