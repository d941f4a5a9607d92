/** WIP */
import path from 'node:path';
import { releaseDir, rootManifest, workDir } from './project.ts';
import { buildSingleExecutable } from './single-executable.ts';

const started = Date.now();
const exe = await buildSingleExecutable(path.join(workDir, 'executable'), releaseDir, rootManifest().version);
console.log(exe.path, exe.stripped, exe.signature, Date.now() - started);
