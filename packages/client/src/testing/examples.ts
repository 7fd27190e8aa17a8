/** Bodies as the gateway sends them, shared by the SDK's tests. */
export const exampleSaleId = '3f1c2d4e-0000-4000-8000-000000000001';

export const exampleSale = {
  id: exampleSaleId,
  name: 'Phones',
  initialStock: 10,
  remainingStock: 4,
  queueCapacity: 10,
  queueDepth: 2,
  startsAt: '2026-01-01T10:00:00Z',
  endsAt: '2026-01-01T11:00:00Z',
  state: 'ACTIVE',
  prequeueSize: 0,
  challengeDifficulty: 0,
};
