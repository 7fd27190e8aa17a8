export * from './errors';
export * from './names';
export * from './orders';
export * from './push';
export * from './sales';
export * from './tickets';
