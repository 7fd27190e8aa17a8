export * from './errors';
export * from './names';
export * from './orders';
export * from './sales';
export * from './tickets';
