// Vite build of the saga console (ESM, .mts: the package itself is not "type": "module"): static files into console/dist.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One entry, small: no chunk splitting, and no inline asset that the Content-Security-Policy would refuse.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    // The bundle budget of docs/decisions/0023 (60 kB gzip of JavaScript) is checked by the browser test; this warns early.
    chunkSizeWarningLimit: 150,
  },
});
