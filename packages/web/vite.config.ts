import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // Vendor code changes far less often than ours: separate chunks cache well and stay small.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 30 },
            { name: 'antd-icons', test: /node_modules[\\/]@ant-design[\\/]icons/, priority: 25 },
            { name: 'antd-base', test: /node_modules[\\/](@ant-design|@rc-component|rc-[^\\/]+)[\\/]/, priority: 20 },
            { name: 'antd', test: /node_modules[\\/]antd[\\/]/, priority: 15 },
            // ZXing is loaded only when the camera is opened: kept out of the vendor chunk so it stays a lazy chunk of its own.
            { name: 'vendor', test: /node_modules[\\/](?!@zxing[\\/])/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
