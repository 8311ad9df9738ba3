// Types of build.mjs (plain JavaScript, so that `node console/build.mjs` and scripts/build.mjs run it without tsx).

export const DEFAULT_OUT_DIR: string;
export const CONSOLE_ENTRY: string;

export interface ConsoleBuildOptions {
  outDir?: string;
  minify?: boolean;
  quiet?: boolean;
}

export interface ConsoleBuildResult {
  outDir: string;
  files: { file: string; bytes: number; gzipBytes: number }[];
  warnings: string[];
}

export function buildConsole(options?: ConsoleBuildOptions): Promise<ConsoleBuildResult>;
