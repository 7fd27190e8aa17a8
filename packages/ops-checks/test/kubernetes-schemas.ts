import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { KubeObject } from './manifests';

/** What does not match the Kubernetes schemas, one line per object (empty when all do). */
export function schemaProblems(objects: readonly KubeObject[]): string[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'validate-objects.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}
