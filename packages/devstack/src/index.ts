export * from './processes';
export * from './stack';
export * from './fresh-topics';
