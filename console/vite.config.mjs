// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The console is served by Atelier at /console/ (src/http/console.ts); the build goes to console/dist/. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // React's automatic JSX runtime through Vite's own esbuild: no React plugin is needed for a build.
  esbuild: { jsx: 'automatic' },
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      // TanStack Query marks its modules "use client" for React Server Components; a browser bundle ignores it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
