import { AppConfig } from './app-config';

/** Typed, read-only access to the validated configuration (see app-config.ts). */
export class AppConfigService {
  constructor(readonly values: AppConfig) {}

  get isProduction(): boolean {
    return this.values.environment === 'production';
  }

  get auth(): AppConfig['auth'] {
    return this.values.auth;
  }

  get rateLimits(): AppConfig['rateLimits'] {
    return this.values.rateLimits;
  }
}
