import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorBody {
  @ApiProperty({ example: 'email' }) field: string;
  @ApiProperty({ example: 'email must be an email' }) message: string;
}

/** The wire format of every error (docs/api-conventions.md, "Errors"). */
export class ErrorBody {
  @ApiProperty({ example: 404 }) status_code: number;
  @ApiProperty({ example: 'USER_NOT_FOUND' }) code: string;
  @ApiProperty({ example: 'User not found' }) detail: string;
  @ApiProperty({ example: '/api/v1/users/…' }) path: string;
  @ApiProperty({ example: '5b0c…' }) request_id: string;
  @ApiPropertyOptional({ type: [FieldErrorBody] }) errors?: FieldErrorBody[];
}
