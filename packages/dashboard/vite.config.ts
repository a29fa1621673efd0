import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Built into the server package (packages/server/dist/dashboard), which serves it at /dashboard. Preact through its
 * automatic JSX runtime (Vite's own transform: no plugin), one hashed script and one stylesheet, no request to any
 * other host at run time.
 */
export default defineConfig({
  base: '/dashboard/',
  root: fileURLToPath(new URL('.', import.meta.url)),
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: fileURLToPath(new URL('../server/dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
