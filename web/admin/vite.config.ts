// The admin UI's build: served by Kiln at /admin (see src/experience/admin). `npx vite --config
// web/admin/vite.config.ts` runs it with hot reload against a Kiln server on 127.0.0.1:3000.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false, target: 'es2022' },
  server: {
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:3000',
        // Sign-in checks Origin against KILN_PUBLIC_URL; the dev server is the Kiln server's stand-in.
        configure: (proxy) => proxy.on('proxyReq', (req) => req.setHeader('origin', 'http://127.0.0.1:3000')),
      },
    },
  },
});
