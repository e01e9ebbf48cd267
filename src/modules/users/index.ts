/**
 * The users feature's public surface for types and DTOs (docs/module-boundaries.md): other features import these
 * from '../users', never from users/dto or users/entities. Its Nest module and services are imported from their own
 * files (users.module.ts, users.service.ts, user-administration.service.ts).
 */
export { CreateUserDto } from './dto/create-user.dto';
export { ListUsersQueryDto } from './dto/list-users-query.dto';
export { toUserResponse, UserResponse } from './dto/user.response';
export { visibleUserSql } from './user-rules';
export { INVALID_CURRENT_PASSWORD, ROLE_NOT_ALLOWED, USER_NOT_FOUND } from './users.errors';
