import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { Nullable } from '../../../common/validation/optional';
import { REVIEW_STATUSES, ReviewStatus } from '../entities/proctoring-review.entity';

const NO_NUL = /^[^\u0000]*$/;

/** `PUT …/sessions/{invite_id}/review`: replaces the session's review (an omitted comment clears it). */
export class ReviewSessionDto {
  @ApiProperty({ enum: REVIEW_STATUSES })
  @IsIn(REVIEW_STATUSES)
  status: ReviewStatus;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @Nullable()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_NUL, { message: '$property must not contain NUL characters' })
  comment?: string | null;
}
