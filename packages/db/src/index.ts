export { createPrismaClient } from './create-prisma-client';
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
