// Which packages each workspace imports, and how that compares with what its package.json declares
// (issue 14: package manifests list what each workspace really imports; a check in `npm test` keeps them true).
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Source files a workspace imports from: TypeScript and JavaScript, outside build output and installs. */
const SOURCE = /\.(?:[cm]?ts|[cm]?js|tsx)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.touchpoint', '.git', 'results', 'test-artifacts']);

interface Manifest {
  name?: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspaceImports {
  /** Folder under the root, e.g. 'device-agent'. */
  dir: string;
  name: string;
  declared: string[];
  /** Package name -> the first file (relative to the root) that imports it. */
  imported: Map<string, string>;
}

export interface ManifestProblem {
  manifest: string;
  kind: 'undeclared' | 'unused';
  dependency: string;
  /** For an undeclared one: a file that imports it. */
  file?: string;
}

const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...sourceFiles(join(dir, entry.name)));
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for relative paths and Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every module a file names: imports (type-only too), re-exports, `import()`, `require()`, `import('x').T`. */
export function importedSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function importsOf(root: string, dir: string): Map<string, string> {
  const imported = new Map<string, string>();
  for (const file of sourceFiles(join(root, dir))) {
    for (const specifier of importedSpecifiers(readFileSync(file, 'utf8'))) {
      const pkg = packageOf(specifier);
      if (pkg !== undefined && !imported.has(pkg)) imported.set(pkg, relative(root, file));
    }
  }
  return imported;
}

export function readWorkspaceImports(root: string): WorkspaceImports[] {
  return (readManifest(join(root, 'package.json')).workspaces ?? []).map((dir) => {
    const manifest = readManifest(join(root, dir, 'package.json'));
    return {
      dir,
      name: manifest.name ?? dir,
      declared: [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})],
      imported: importsOf(root, dir),
    };
  });
}

/** `@types/foo` types `foo`, `@types/scope__name` types `@scope/name`. */
function typedPackage(types: string): string {
  const name = types.slice('@types/'.length);
  return name.includes('__') ? `@${name.replace('__', '/')}` : name;
}

/**
 * Compares each workspace's imports with its manifest, and the root's devDependencies with their use:
 * - a workspace imports only what it declares, what the root declares as tooling (vitest, esbuild, ...)
 *   and itself;
 * - a workspace declares nothing it does not import (an `@types/x` counts when it imports `x`);
 * - a root devDependency is imported somewhere, run by a root script, or types a package that is imported.
 */
export function manifestProblems(root: string): ManifestProblem[] {
  const rootManifest = readManifest(join(root, 'package.json'));
  const tooling = Object.keys(rootManifest.devDependencies ?? {});
  const workspaces = readWorkspaceImports(root);
  const rootImports = importsOf(root, '.');
  const problems: ManifestProblem[] = [];
  for (const ws of workspaces) {
    const manifest = `${ws.dir}/package.json`;
    for (const [pkg, file] of ws.imported) {
      if (pkg !== ws.name && !ws.declared.includes(pkg) && !tooling.includes(pkg))
        problems.push({ manifest, kind: 'undeclared', dependency: pkg, file });
    }
    for (const dep of ws.declared) {
      const used = dep.startsWith('@types/') ? ws.imported.has(typedPackage(dep)) : ws.imported.has(dep);
      if (!used) problems.push({ manifest, kind: 'unused', dependency: dep });
    }
  }
  const scripts = Object.values(rootManifest.scripts ?? {}).join(' && ');
  for (const dep of tooling) {
    const used = dep.startsWith('@types/')
      ? dep === '@types/node' || rootImports.has(typedPackage(dep))
      : rootImports.has(dep) || new RegExp(`(^|[\\s&|;])${dep}(\\s|$)`).test(scripts);
    if (!used) problems.push({ manifest: 'package.json', kind: 'unused', dependency: dep });
  }
  return problems;
}
