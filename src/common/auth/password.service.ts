import { Injectable, OnModuleInit } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { AppConfigService } from '../../config/app-config.service';

/** bcrypt at BCRYPT_COST. Hashing and comparing run on libuv's thread pool, never on the event loop. */
@Injectable()
export class PasswordService implements OnModuleInit {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly config: AppConfigService) {}

  /** Made at boot so the first unknown-e-mail login is not slower than the rest. */
  async onModuleInit(): Promise<void> {
    this.dummyHash = bcrypt.hash('not-a-real-password', this.config.auth.bcryptCost);
    await this.dummyHash;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.auth.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** A hash made at another cost (an old one, or BCRYPT_COST changed) is upgraded at the next successful login. */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) !== this.config.auth.bcryptCost;
    } catch {
      return true;
    }
  }

  /**
   * For an unknown e-mail: compares the password with a dummy hash and returns false, spending the same time as a
   * real comparison, so an unknown e-mail cannot be told from a wrong password by timing. The dummy hash is made
   * at the configured cost.
   */
  async verifyAgainstDummyHash(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('not-a-real-password', this.config.auth.bcryptCost);
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }
}
