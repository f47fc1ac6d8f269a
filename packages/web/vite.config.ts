import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd's own chunk passed 600 kB once the report pages used Timeline, Steps, Statistic, AutoComplete and Radio.
    chunkSizeWarningLimit: 650,
    rolldownOptions: {
      output: {
        // Vendor code changes far less often than ours: separate chunks cache well and stay small.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 30 },
            { name: 'antd-icons', test: /node_modules[\\/]@ant-design[\\/]icons/, priority: 25 },
            { name: 'antd-base', test: /node_modules[\\/](@ant-design|@rc-component|rc-[^\\/]+)[\\/]/, priority: 20 },
            { name: 'antd', test: /node_modules[\\/]antd[\\/]/, priority: 15 },
            // ZXing is loaded only when the camera is opened, ECharts only when a report's curves are shown: kept out of
            // the vendor chunk so they stay lazy chunks of their own.
            { name: 'vendor', test: /node_modules[\\/](?!@zxing[\\/]|echarts[\\/]|zrender[\\/])/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
