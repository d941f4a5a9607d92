/**
 * The preload → dist/preload/preload.cjs: one CommonJS file, because a sandboxed preload cannot
 * load other modules; only `electron` stays external (the sandbox provides it).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: false,
    minify: false,
    ssr: 'src/preload/preload.ts',
    rolldownOptions: {
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: 'preload.cjs', codeSplitting: false },
    },
  },
  ssr: { noExternal: true },
});
