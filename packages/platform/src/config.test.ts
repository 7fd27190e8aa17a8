import { z } from 'zod';
import { ConfigError, env, parseConfig } from './config';

const schema = z.object({
  PORT: env.port(3000),
  AUTH_SECRET: env.authSecret,
  KAFKA_BROKERS: env.kafkaBrokers,
  DATABASE_URL: env.databaseUrl,
});
const secret = 'x'.repeat(32);

describe('parseConfig', () => {
  it('applies defaults and transforms', () => {
    const config = parseConfig(schema, { AUTH_SECRET: secret, DATABASE_URL: 'postgresql://db/seckill', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config).toEqual({ PORT: 3000, AUTH_SECRET: secret, KAFKA_BROKERS: ['a:1', 'b:2'], DATABASE_URL: 'postgresql://db/seckill' });
  });

  it('names every invalid variable', () => {
    const parse = () => parseConfig(schema, { PORT: 'eighty', AUTH_SECRET: 'short', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost' });
    expect(parse).toThrow(ConfigError);
    try {
      parse();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'AUTH_SECRET', 'DATABASE_URL', 'KAFKA_BROKERS']) expect(message).toContain(`${name}:`);
    }
  });
});

describe('REDIS_URL and NATS_URL', () => {
  const connections = z.object({ REDIS_URL: env.redisUrl, NATS_URL: env.natsUrl });

  it('take one server or a cluster', () => {
    expect(parseConfig(connections, {})).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379', NATS_URL: 'nats://127.0.0.1:4222' });
    const cluster = { REDIS_URL: 'redis-cluster://10.0.0.1:7001,10.0.0.2:7002', NATS_URL: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222' };
    expect(parseConfig(connections, cluster)).toEqual(cluster);
  });

  it.each([
    ['REDIS_URL', 'http://redis:6379'],
    ['REDIS_URL', 'redis-cluster://10.0.0.1'],
    ['REDIS_URL', 'redis-cluster://'],
    ['NATS_URL', '127.0.0.1:4222'],
    ['NATS_URL', 'nats://a:1,,nats://b:2'],
  ])('refuse %s=%p, naming it', (name, value) => {
    expect(() => parseConfig(connections, { [name]: value })).toThrow(`${name}:`);
  });
});

describe('env.list', () => {
  const hosts = z.object({
    HOSTS: env
      .list({ item: (host) => /^[a-z]+:\d+$/.test(host), message: 'must be host:port[,host:port...]', nonEmpty: true })
      .default(['a:1']),
    TAGS: env.list().optional(),
  });

  it('trims the items, drops empty ones and keeps defaults as lists', () => {
    expect(parseConfig(hosts, {})).toEqual({ HOSTS: ['a:1'], TAGS: undefined });
    expect(parseConfig(hosts, { HOSTS: ' a:1, b:2,,', TAGS: '' })).toEqual({ HOSTS: ['a:1', 'b:2'], TAGS: [] });
  });

  it.each([['a'], ['a:1, b'], [' , ']])('refuses HOSTS=%p with the whole variable named once', (value) => {
    expect(() => parseConfig(hosts, { HOSTS: value })).toThrow('  HOSTS: must be host:port[,host:port...]');
  });
});

describe('env.bool', () => {
  const flags = z.object({ ON: env.bool(true), OFF: env.bool(false) });

  it('reads the usual spellings and keeps the defaults', () => {
    expect(parseConfig(flags, {})).toEqual({ ON: true, OFF: false });
    expect(parseConfig(flags, { ON: 'false', OFF: '1' })).toEqual({ ON: false, OFF: true });
    expect(parseConfig(flags, { ON: 'no', OFF: 'yes' })).toEqual({ ON: false, OFF: true });
    expect(parseConfig(flags, { ON: 'off', OFF: 'on' })).toEqual({ ON: false, OFF: true });
  });

  it('refuses anything else', () => {
    expect(() => parseConfig(flags, { ON: 'maybe' })).toThrow('ON:');
  });
});

describe('env.url', () => {
  const urls = z.object({
    UPSTREAM: env.url({ protocols: ['http:', 'https:'] }).optional(),
    SERVERS: env.url({ protocols: ['nats:'], list: true, message: 'must be nats://host:port[,nats://host:port...]' }).optional(),
  });

  it('takes one URL, or a list kept as the string the client takes', () => {
    expect(parseConfig(urls, { UPSTREAM: 'https://api.example:8443/base', SERVERS: 'nats://a:1, nats://b:2' })).toEqual({
      UPSTREAM: 'https://api.example:8443/base',
      SERVERS: 'nats://a:1, nats://b:2',
    });
  });

  it('names the accepted schemes', () => {
    expect(() => parseConfig(urls, { UPSTREAM: 'ftp://x' })).toThrow('UPSTREAM: must be a URL starting with http:// or https://');
    expect(() => parseConfig(urls, { UPSTREAM: 'not a url' })).toThrow('UPSTREAM:');
  });

  it.each([['nats://a:1,'], ['nats://'], ['http://a:1'], ['nats://a:1 nats://b:2']])('refuses the list SERVERS=%p', (value) => {
    expect(() => parseConfig(urls, { SERVERS: value })).toThrow('SERVERS: must be nats://host:port[,nats://host:port...]');
  });

  it('checks DATABASE_URL by scheme, socket URLs included', () => {
    const database = z.object({ DATABASE_URL: env.databaseUrl });
    expect(parseConfig(database, { DATABASE_URL: 'postgres:///seckill?host=/var/run/postgresql' }).DATABASE_URL).toContain('postgres:');
    expect(() => parseConfig(database, { DATABASE_URL: 'mysql://x/db' })).toThrow(
      'DATABASE_URL: must be a URL starting with postgresql:// or postgres://',
    );
  });
});

describe('env.server', () => {
  it('declares PORT, HOST and LOG_LEVEL with their defaults', () => {
    const server = z.object(env.server({ port: 3100, serves: 'health' }));
    expect(parseConfig(server, {})).toEqual({ PORT: 3100, HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    expect(() => parseConfig(server, { PORT: '70000', LOG_LEVEL: 'loud' })).toThrow(/PORT:[\s\S]*LOG_LEVEL:/);
  });
});
