import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { NormaliseEmail, Trim } from '../../../../common/validation/transforms';
import { Nullable } from '../../../../common/validation/optional';

const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

/** The fields one invitee has, in a single create, a bulk JSON list and a CSV row alike. */
export class InviteeDto {
  @ApiProperty({ format: 'email', maxLength: 255 })
  @NormaliseEmail()
  @IsEmail()
  @MaxLength(255)
  applicant_email: string;

  @ApiProperty({ maxLength: 255 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @Matches(SINGLE_LINE, { message: '$property must not contain control characters' })
  applicant_name: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Future, before expiry' })
  @Nullable()
  @IsDateString({ strict: true })
  scheduled_date?: string | null;
}

export class CreateInvitationDto extends InviteeDto {
  @ApiProperty({ format: 'uuid', description: "An active test of the caller's tenant" })
  @IsUUID('loose')
  test_id: string;

  @ApiPropertyOptional({
    default: false,
    description: 'The admin fixed the schedule: the candidate may not change it (status `scheduled`)',
  })
  @IsOptional()
  @IsBoolean()
  admin_scheduled?: boolean;

  @ApiPropertyOptional({ default: false, description: 'No schedule: the test may be taken any time before expiry' })
  @IsOptional()
  @IsBoolean()
  no_schedule?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Must be in the future; default: INVITATION_EXPIRY_DAYS (30) days from now',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  expires_at?: string;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: 500, description: 'Extra time, percent of the duration' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(500)
  extra_time_percent?: number;
}

export class BulkInviteeDto extends InviteeDto {}

export class BulkInvitationsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('loose')
  test_id: string;

  @ApiProperty({ type: [BulkInviteeDto], description: 'At most INVITE_BULK_MAX_ROWS (500) rows' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  invites: unknown[];
}

/** The multipart fields besides `file`. */
export class BulkCsvFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('loose')
  test_id: string;
}

export class ScheduleInvitationDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'In the future and before the invitation expires' })
  @IsDateString({ strict: true })
  scheduled_date: string;
}
