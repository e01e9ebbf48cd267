import { ValidateIf } from 'class-validator';

/**
 * Optional, but not null when present: `@IsOptional()` would let `{"email": null}` through to the service.
 * Used on update bodies, where absent means "leave unchanged".
 */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Optional; null is allowed (and clears the column on updates). */
export const Nullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);
