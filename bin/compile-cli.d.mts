/** Types of compile-cli.mjs (plain JavaScript: the launcher runs it before any TypeScript is compiled). */

/** Where builds live (node_modules/.cache/vendor-sync-cli). */
export declare const CLI_CACHE_DIR: string;

/** A published build of the CLI. */
export interface CliBuild {
  /** Epoch ms, taken before esbuild read anything. */
  readonly builtAt: number;
  /** The files it was built from, relative to the repository. */
  readonly inputs: readonly string[];
}

/** esbuild plugin: each bundled module keeps its own `import.meta.url`. */
export declare const ownModuleUrls: import("esbuild").Plugin;

export declare function isStale(build: CliBuild, root?: string): boolean;
export declare function compileCli(): Promise<string>;
export declare function compiledCli(): Promise<string>;
