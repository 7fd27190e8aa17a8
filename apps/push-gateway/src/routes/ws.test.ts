import { isOriginAllowed, protocolTokenOf } from './ws';

describe('protocolTokenOf', () => {
  it('reads the bearer token offered beside seckill.v1', () => {
    expect(protocolTokenOf('seckill.v1, bearer.aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
  });

  it('ignores a bearer token offered without seckill.v1', () => {
    expect(protocolTokenOf('bearer.aaa.bbb.ccc')).toBeUndefined();
  });

  it('has nothing when no protocol was offered', () => {
    expect(protocolTokenOf(undefined)).toBeUndefined();
    expect(protocolTokenOf('seckill.v1')).toBeUndefined();
  });
});

describe('isOriginAllowed', () => {
  const allowed = ['https://shop.example'];
  it('allows listed origins and clients without an Origin header', () => {
    expect(isOriginAllowed('https://shop.example', allowed)).toBe(true);
    expect(isOriginAllowed(undefined, allowed)).toBe(true);
  });
  it('refuses other origins unless * is listed', () => {
    expect(isOriginAllowed('https://evil.example', allowed)).toBe(false);
    expect(isOriginAllowed('https://evil.example', ['*'])).toBe(true);
  });
});
