import { safeEqual } from './auth';

describe('safeEqual', () => {
  it('accepts the same token and refuses any other, whatever its length', () => {
    expect(safeEqual('admin-token-123456', 'admin-token-123456')).toBe(true);
    expect(safeEqual('admin-token-123457', 'admin-token-123456')).toBe(false);
    expect(safeEqual('short', 'admin-token-123456')).toBe(false);
    expect(safeEqual('', 'admin-token-123456')).toBe(false);
  });
});
