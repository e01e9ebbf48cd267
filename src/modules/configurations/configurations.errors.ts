import { HttpStatus } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';

// The configurations feature's error catalogue: each builder is named as the code it answers with.

export const CONFIGURATION_NOT_FOUND = () => AppError.notFound('CONFIGURATION_NOT_FOUND', 'Configuration not found');

export const SYSTEM_SCOPE_FORBIDDEN = () =>
  AppError.forbidden('SYSTEM_SCOPE_FORBIDDEN', 'Only a superadmin may write system configurations');

export const CONFIG_TOO_LARGE = (maxBytes: number) =>
  new AppError(
    'CONFIG_TOO_LARGE',
    `The configuration must be at most ${maxBytes / 1024} KB of JSON`,
    HttpStatus.PAYLOAD_TOO_LARGE,
  );
