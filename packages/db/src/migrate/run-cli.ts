import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from './package-paths';

// Keep in sync with the `migrate` and `diff` scripts in package.json.
const wasmModuleFlags = ['--experimental-wasm-modules', '--disable-warning=ExperimentalWarning'];

/**
 * Runs cli.ts (or the built cli.js) in a child node process and resolves with its stdout.
 * The schema engine is ESM importing a .wasm file: it needs a Node flag and cannot load inside
 * jest's module system, so callers that are not the CLI itself go through here.
 */
export async function runMigrationCli(args: string[], { databaseUrl }: { databaseUrl: string }): Promise<string> {
  const fromSource = path.extname(__filename) === '.ts';
  const cli = path.join(__dirname, fromSource ? 'cli.ts' : 'cli.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...wasmModuleFlags, ...(fromSource ? ['--import', 'tsx'] : []), cli, ...args],
    {
      cwd: packageRoot, // where `--import tsx` is resolved from
      env: { ...process.env, DATABASE_URL: databaseUrl },
    },
  );
  return stdout;
}
