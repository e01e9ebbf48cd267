import { ValidateIf } from 'class-validator';

/**
 * Optional but, when present, not null: `@IsOptional()` would let `{"email": null}` through to the service.
 * Used on update bodies, where absent means "leave unchanged".
 */
export const Present = () => ValidateIf((_object, value) => value !== undefined);

/** Optional; null is allowed (and clears the column on updates). */
export const Nullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);
