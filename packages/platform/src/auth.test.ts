import { createSigner } from 'fast-jwt';
import { createUserTokenSigner, createUserTokenVerifier } from './auth';

const secret = 's'.repeat(32);

describe('user tokens', () => {
  const verify = createUserTokenVerifier(secret);

  it('returns the user id of a token signed with the secret', () => {
    expect(verify(createUserTokenSigner(secret)('alice'))).toBe('alice');
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
