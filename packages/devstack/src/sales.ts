import type { CreateSaleBody, SaleView } from '@seckill/contracts';

/** A sale for `createSale`: the API's body, with a window that defaults to "open now, for ten minutes". */
export type SaleOptions = Omit<CreateSaleBody, 'startsAt' | 'endsAt'> & { startsAt?: string; endsAt?: string };

const DEFAULT_WINDOW_MS = 600_000;

/** `POST /api/admin/sales` on a running gateway; throws with the answer unless it is 201. */
export async function createSale(gatewayUrl: string, adminToken: string, sale: SaleOptions): Promise<SaleView> {
  const startsAt = sale.startsAt ?? new Date(Date.now() - 1_000).toISOString();
  const body: CreateSaleBody = {
    ...sale,
    startsAt,
    endsAt: sale.endsAt ?? new Date(Date.parse(startsAt) + DEFAULT_WINDOW_MS).toISOString(),
  };
  const response = await fetch(`${gatewayUrl}/api/admin/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
  const created = (await response.json().catch(() => ({}))) as Partial<SaleView>;
  if (response.status !== 201 || !created.id) {
    throw new Error(`creating the sale "${sale.name}" answered ${response.status} ${JSON.stringify(created)}`);
  }
  return created as SaleView;
}
