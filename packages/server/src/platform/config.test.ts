import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to the embedded database with the demo hospital on port 8080', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, dataDir: './data', demo: true });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('never seeds demo data on a PostgreSQL server, even when asked', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db.example/pftis', PFTIS_DEMO: '1' });
    expect(config.demo).toBe(false);
    expect(loadConfig({ PFTIS_DEMO: '0' }).demo).toBe(false);
  });

  it('names the environment variable of every invalid setting', () => {
    expect(() => loadConfig({ PFTIS_PORT: 'eighty', PFTIS_SECRET_KEY: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PFTIS_PORT: 'eighty', PFTIS_SECRET_KEY: 'short' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PFTIS_PORT/);
      expect((error as Error).message).toMatch(/PFTIS_SECRET_KEY/);
    }
  });

  it('reads a config file and lets the environment win', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/pftis-config-');
    await writeFile(`${dir}/c.json`, JSON.stringify({ port: 9000, hospitalName: '某医院' }));
    const config = loadConfig({ PFTIS_CONFIG: `${dir}/c.json`, PFTIS_PORT: '9100' });
    expect(config.port).toBe(9100);
    expect(config.hospitalName).toBe('某医院');
    expect(() => loadConfig({ PFTIS_CONFIG: `${dir}/missing.json` })).toThrow(/cannot read config file/);
  });
});
