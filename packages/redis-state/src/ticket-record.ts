import { parseTicketId, type TicketStatus } from '@seckill/contracts';

/** A ticket as kept in Redis: the hash at `redisKeys.ticket(saleId, ticketId)`. */
export interface TicketRecord {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  /** The sale's ticket epoch the ticket was issued in (from its id). */
  epoch: number;
  status: TicketStatus;
  orderId?: string;
  reason?: string;
  /** Epoch ms of the admission (absent on a record rebuilt from a result after a Redis loss). */
  admittedAt?: number;
  /** Epoch ms of the last state change. */
  updatedAt: number;
}

/** The one parser of a ticket hash; undefined for a missing or partial one. */
export function parseTicketRecord(hash: Record<string, string>): TicketRecord | undefined {
  if (!hash.ticketId || !hash.status || !hash.saleId || !hash.userId) return undefined;
  return {
    ticketId: hash.ticketId,
    saleId: hash.saleId,
    userId: hash.userId,
    ticketNumber: Number(hash.ticketNumber),
    epoch: parseTicketId(hash.ticketId)?.epoch ?? 1,
    status: hash.status as TicketStatus,
    ...(hash.orderId ? { orderId: hash.orderId } : {}),
    ...(hash.reason ? { reason: hash.reason } : {}),
    ...(hash.admittedAt ? { admittedAt: Number(hash.admittedAt) } : {}),
    updatedAt: Number(hash.updatedAt ?? 0),
  };
}
