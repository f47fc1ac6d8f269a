import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { looksLikeCalibrationLog } from '@pftis/formats/calibration/csv-log';
import type { DB } from '../../db/types.js';
import { systemActor } from '../../platform/audit.js';
import { createPoller } from '../../platform/poller.js';
import type { CalibrationService } from '../devices/calibration.service.js';
import type { DeviceImportService } from './device-import.service.js';

/**
 * Picks up result files from each device's result folder. A file is taken only once its size has stayed the
 * same between two polls (device software writes in several steps); once stored it moves to `imported/` (or
 * `quarantine/`, `unmatched/` by its status), so no file is ever read twice. Polling, not file events: it works
 * the same on network shares, where events are unreliable.
 */
export function createFolderWatcher({ db, imports, calibration, onError }: { db: Kysely<DB>; imports: DeviceImportService; calibration?: Pick<CalibrationService, 'importLog'>; onError?: (error: unknown, file?: string) => void }) {
  const sizes = new Map<string, number>();

  async function pollOnce(): Promise<number> {
    const devices = await db.selectFrom('device').select(['id', 'campusId', 'resultFolder']).where('enabled', '=', true).where('resultFolder', 'is not', null).execute();
    let taken = 0;
    for (const device of devices) {
      const folder = device.resultFolder!;
      const names = await readdir(folder).catch(() => [] as string[]);
      for (const name of names) {
        if (name.startsWith('.') || name.endsWith('.part') || name.endsWith('.tmp')) continue;
        const file = path.join(folder, name);
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) continue;
        if (sizes.get(file) !== info.size) {
          sizes.set(file, info.size);
          continue;
        }
        sizes.delete(file);
        try {
          const bytes = new Uint8Array(await readFile(file));
          // A calibration / verification log the device software exported goes to the 质控 records instead.
          const result = calibration && looksLikeCalibrationLog(bytes)
            ? await calibration.importLog(systemActor(`folder:${device.id}`), { deviceId: device.id, bytes, name, source: 'folder' })
            : await imports.receive(systemActor(`folder:${device.id}`), { bytes, originalName: name, source: 'folder', deviceId: device.id, campusId: device.campusId });
          const destination = path.join(folder, result.status);
          await mkdir(destination, { recursive: true });
          await rename(file, path.join(destination, name));
          taken += 1;
        } catch (error) {
          onError?.(error, file);
        }
      }
    }
    return taken;
  }

  const poller = createPoller(pollOnce, onError);
  return {
    pollOnce,
    start: (intervalMs = 2000) => poller.start(intervalMs),
    stop: () => poller.stop(),
  };
}
