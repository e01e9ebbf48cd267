import { Injectable } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { AppConfigService } from '../../config/app-config.service';

/** bcrypt at BCRYPT_COST. Hashing and comparing run on libuv's thread pool, never on the event loop. */
@Injectable()
export class PasswordService {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly config: AppConfigService) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.auth.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /**
   * Spends the same time as a real comparison, so an unknown e-mail cannot be told from a wrong password by
   * timing. The dummy hash is made once, at the configured cost.
   */
  async burn(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('not-a-real-password', this.config.auth.bcryptCost);
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }
}
