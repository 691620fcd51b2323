import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The client is one app with a route per role; the server serves client/dist.
export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'ws://127.0.0.1:8080', ws: true },
      '/board': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
