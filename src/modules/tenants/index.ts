/**
 * The tenants feature's public surface for types and rules (docs/module-boundaries.md): other features import these
 * from '../tenants'. Its Nest module and services are imported from their own files.
 */
export { TENANT_NOT_FOUND } from './tenants.errors';
