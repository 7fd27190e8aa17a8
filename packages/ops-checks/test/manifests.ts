import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const KUBERNETES_DIR = path.resolve(__dirname, '../../../deploy/kubernetes');

/** A Kubernetes object as read from YAML. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

export function parseObjects(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors.map((error) => error.message).join('; ')}`);
    const value = document.toJS() as KubeObject | null;
    return value ? [value] : [];
  });
}

/** Every manifest file (not the kustomizations). */
export function manifestFiles(): string[] {
  return walk(KUBERNETES_DIR).filter((file) => file.endsWith('.yaml') && path.basename(file) !== 'kustomization.yaml');
}

/** Every folder with a kustomization.yaml, relative to deploy/kubernetes. */
export function kustomizations(): string[] {
  return walk(KUBERNETES_DIR)
    .filter((file) => path.basename(file) === 'kustomization.yaml')
    .map((file) => path.relative(KUBERNETES_DIR, path.dirname(file)))
    .sort();
}

/** `kubectl kustomize` (kustomize built into kubectl) when kubectl is installed. */
export const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

export function kustomizeBuild(dir: string): KubeObject[] {
  const output = execFileSync('kubectl', ['kustomize', path.join(KUBERNETES_DIR, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseObjects(output, `kubectl kustomize ${dir}`);
}

/** Without kustomize: every base file together (no overlays' patches), for the reference checks. */
export function baseObjects(): KubeObject[] {
  return manifestFiles()
    .filter((file) => !file.includes(`${path.sep}overlays${path.sep}`))
    .flatMap((file) => parseObjects(readFileSync(file, 'utf8'), file));
}
