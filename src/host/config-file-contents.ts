/** Reading the configuration file that is about to be replaced (to back it up, or to compare it). */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The contents of a configuration file when it is a regular file (through a symlink, as the agent
 * read it); null when there is none or it is something else (a FIFO or a device is neither
 * waited on nor read).
 */
export async function previousContents(file: string): Promise<Buffer | null> {
  let handle;
  try {
    // Non-blocking: a FIFO at the path is not waited on (it is not backed up either).
    handle = await open(file, constants.O_RDONLY | ((constants as Partial<typeof constants>).O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENXIO') return null;
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
