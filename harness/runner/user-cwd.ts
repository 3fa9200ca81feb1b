// Imported (--import) by every process that loads scenario files, which the runner starts in bootproof's own folder:
// the scenarios run in the user's folder, as the bootproof command did, so their relative paths mean what they wrote.
import { userRoot } from '../config/user-folder.ts';

process.chdir(userRoot());
