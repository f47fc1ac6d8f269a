import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Content-addressed, write-once file storage: a file is kept under its SHA-256, so the same bytes are stored
 * once and a stored file is never changed. Writes go to a temporary name first and are renamed into place.
 */
export function createFileStore(root: string) {
  const pathOf = (sha256: string) => path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  return {
    pathOf,
    async put(sha256: string, bytes: Uint8Array): Promise<void> {
      const target = pathOf(sha256);
      if (await stat(target).catch(() => null)) return;
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${process.pid}.part`;
      await writeFile(temporary, bytes, { mode: 0o440 });
      await rename(temporary, target);
    },
    get: (sha256: string) => readFile(pathOf(sha256)),
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
