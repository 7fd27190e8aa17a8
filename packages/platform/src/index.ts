export * from './config';
export * from './kafka';
export * from './logger';
export * from './metrics';
export * from './nats';
export * from './redis';
export * from './shutdown';
export * from './ticket-store';
