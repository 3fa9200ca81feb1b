// Which QEMU a binary is: the first line of its --version, asked once per binary and process.
import { execa } from 'execa';

const versions = new Map<string, Promise<string>>();

/** E.g. "QEMU emulator version 7.2.11 (Debian 1:7.2+dfsg-7+deb12u12)"; a binary that cannot say gives why. */
export function qemuVersion(binary: string): Promise<string> {
  let version = versions.get(binary);
  if (!version) {
    version = execa(binary, ['--version']).then(
      (r) => r.stdout.split('\n')[0]?.trim() ?? '',
      (error: Error) => `unknown (${binary} --version: ${error.message.split('\n')[0]})`,
    );
    versions.set(binary, version);
  }
  return version;
}
