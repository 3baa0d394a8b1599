import { defineConfig } from 'vite';

// Palaver serves the build at /app/; `npm run dev` proxies the API to a server on :3000.
const server = process.env.PALAVER_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/app/',
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: Object.fromEntries(['/api', '/login', '/logout', '/register', '/accounts', '/profiles', '/socket.io'].map((path) => [path, { target: server, ws: path === '/socket.io' }])),
  },
});
