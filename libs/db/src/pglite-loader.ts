// Loads the PGlite module lazily, so a service running on pg never loads PGlite's WebAssembly build.

type PgliteModule = typeof import('@electric-sql/pglite');

let loaded: PgliteModule | undefined;

export function loadPglite(): PgliteModule {
  // A synchronous, lazy require on purpose: a top-level import would load the WASM build in every pg service.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('@electric-sql/pglite') as PgliteModule;
  return loaded;
}
