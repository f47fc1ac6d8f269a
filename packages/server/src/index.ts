export { buildApp, createServices, type Services } from './app.js';
export { startServer, openDatabase } from './server.js';
export { loadConfig, type Config } from './platform/config.js';
