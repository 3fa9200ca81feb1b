// The services a machine with a NIC has on the host: its boot server (TFTP and HTTP) and its metadata service.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { VmConfig } from '../config/vm-config.ts';
import { UsageError } from '../errors.ts';
import { BootServer } from '../net/boot-server.ts';
import { instanceAddress, MetadataService } from '../net/metadata-service.ts';

export class MachineServices {
  private metadataService: MetadataService | undefined;

  private constructor(
    readonly bootServer: BootServer,
    private readonly instance: string,
  ) {}

  /** Starts the boot server in `folder` and puts the files the vm-config serves in it, from `servedFrom`. */
  static async start(config: VmConfig, options: { folder: string; log: string; servedFrom: string; instance: string }): Promise<MachineServices> {
    const server = await BootServer.start(options.folder, options.log);
    try {
      if (config.media.netboot) await server.serveFolder(config.media.netboot);
      // A netboot folder is what the machine boots from its server: the vm-config's own files are not needed then.
      for (const name of config.media.netboot ? [] : (config.network?.serve ?? [])) {
        const file = join(options.servedFrom, name);
        if (!existsSync(file)) {
          throw new UsageError(
            `machine ${config.name} boots ${name} from its boot server, but ${file} does not exist: put it next to the disk image (fixture builds for ${config.arch} write it)`,
          );
        }
        await server.put(name, { file });
      }
    } catch (error) {
      await server.close();
      throw error;
    }
    return new MachineServices(server, options.instance);
  }

  /** The folder the files are served from by default: the base image's. */
  static defaultServedFrom(image: string): string {
    return dirname(image);
  }

  /** The instance metadata service, on the boot server; the instance is named after the machine. */
  get metadata(): MetadataService {
    this.metadataService ??= new MetadataService(this.bootServer, {
      id: this.instance,
      name: this.instance,
      hostname: this.instance,
      // fec0::2 is the host side of QEMU's user network.
      ipv6: { address: instanceAddress(randomBytes(2).readUInt16BE(0)), netmask: '64', gateway: 'fec0::2' },
    });
    return this.metadataService;
  }

  /** The addresses the guest reaches the services at, for the firmware's boot commands. */
  guestAddresses(): Record<string, string> {
    return { bootServer: this.bootServer.guestUrl('').replace(/\/$/, ''), metadataUrl: this.metadata.guestUrl };
  }

  async close(): Promise<void> {
    await this.bootServer.close();
  }
}
