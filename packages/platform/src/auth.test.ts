import { createSigner } from 'fast-jwt';
import { createUserTokenSigner, createUserTokenVerifier } from './auth';

const secret = 's'.repeat(32);

describe('user tokens', () => {
  const verify = createUserTokenVerifier(secret);

  it('returns the user id and the expiry of a token signed with the secret', () => {
    const before = Date.now();
    const token = verify(createUserTokenSigner(secret, { expiresInMs: 60_000 })('alice'));
    expect(token.userId).toBe('alice');
    expect(token.expiresAtMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 59_000);
    expect(token.expiresAtMs).toBeLessThanOrEqual(before + 61_000);
  });

  it('rejects a token without an expiry: it would never end its session', () => {
    const forever = createSigner({ key: secret, algorithm: 'HS256' })({ sub: 'alice' });
    expect(() => verify(forever)).toThrow();
  });

  it('rejects a token signed with another secret', () => {
    expect(() => verify(createUserTokenSigner('o'.repeat(32))('alice'))).toThrow();
  });

  it('rejects an expired token', () => {
    const expired = createSigner({ key: secret, algorithm: 'HS256' })({ sub: 'alice', exp: 1 });
    expect(() => verify(expired)).toThrow();
  });

  it('rejects a subject that is not a valid user id', () => {
    expect(() => verify(createUserTokenSigner(secret)('a.b*'))).toThrow(/user id/);
  });

  it('rejects an unsigned token', () => {
    const none = createSigner({ algorithm: 'none' })({ sub: 'alice' });
    expect(() => verify(none)).toThrow();
  });
});
