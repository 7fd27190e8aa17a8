import { readFile } from 'node:fs/promises';
import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import { createMigrationAdapterFactory } from './migration-adapter';
import { schemaPath } from './package-paths';

// We manage every table in the schema; nothing is "external".
export const noExternalEntities: SchemaFilter = { externalTables: [], externalEnums: [] };

export async function readSchema(): Promise<{ path: string; content: string }> {
  return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
}

/**
 * Prisma's schema engine compiled to WebAssembly: the native binary `prisma migrate`
 * downloads at run time is unavailable offline (see /work/shared/ENVIRONMENT.md).
 * The package is ESM importing a .wasm file, so Node 20 needs --experimental-wasm-modules.
 */
export async function openSchemaEngine({ databaseUrl }: { databaseUrl: string }): Promise<SchemaEngine> {
  installPanicReporter();
  const { SchemaEngine } = await import('@prisma/schema-engine-wasm');
  const schema = await readSchema();
  const adapterFactory = createMigrationAdapterFactory({ databaseUrl });
  return SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, logEngineEvent, adapterFactory);
}

// The engine reports progress as JSON lines; only worth reading when debugging.
function logEngineEvent(line: string): void {
  if (process.env.DEBUG?.includes('prisma')) process.stderr.write(`${line}\n`);
}

/**
 * The engine hands a Rust panic's message to this global before aborting (the Prisma CLI installs
 * the same hook); without it, a panic surfaces only as "Cannot read properties of undefined".
 */
function installPanicReporter(): void {
  const registry = { set_message: (message: string) => process.stderr.write(`Schema engine panic: ${message}\n`) };
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: typeof registry }).PRISMA_WASM_PANIC_REGISTRY ??= registry;
}
