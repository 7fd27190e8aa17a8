export * from './error-body';
export * from './errors';
export * from './names';
export * from './orders';
export * from './push';
export * from './push-protocol';
export * from './sales';
export * from './tickets';
