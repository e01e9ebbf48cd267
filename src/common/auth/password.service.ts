import { Injectable, OnModuleInit } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { availableParallelism } from 'node:os';
import { AppConfigService } from '../../config/app-config.service';

/**
 * bcrypt at BCRYPT_COST. Hashing and comparing run on libuv's thread pool, never on the event loop, and at most one
 * per CPU at a time (the rest wait in order here). bcrypt is pure CPU: more at once adds no throughput, and every
 * extra one is a thread the event loop and PostgreSQL compete with for a core, and a thread of the pool (4 by
 * default) taken from the work that must not wait behind a login storm — file I/O, DNS, and the PBKDF2 of
 * PostgreSQL's SCRAM authentication when the pool opens a connection. Bench (c) measures it.
 */
@Injectable()
export class PasswordService implements OnModuleInit {
  private dummyHash: Promise<string> | undefined;
  private readonly slots = new HashSlots(availableParallelism());

  constructor(private readonly config: AppConfigService) {}

  /** Made at boot so the first unknown-e-mail login is not slower than the rest. */
  async onModuleInit(): Promise<void> {
    this.dummyHash = bcrypt.hash('not-a-real-password', this.config.auth.bcryptCost);
    await this.dummyHash;
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => bcrypt.hash(password, this.config.auth.bcryptCost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.slots.run(() => bcrypt.compare(password, hash));
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
    const dummy = await this.dummyHash;
    await this.slots.run(() => bcrypt.compare(password, dummy));
    return false;
  }
}

/** A counting semaphore: at most `size` tasks run at once, the others start in arrival order as slots free up. */
export class HashSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
