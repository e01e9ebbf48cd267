import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { Nullable } from '../../../../common/validation/optional';

const NO_NUL = /^[^\u0000]*$/;

export class ScoreAnswerDto {
  @ApiProperty({ minimum: 0, example: 3.5, description: "0 to the question's points, at most 2 decimals" })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  score: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @Nullable()
  @IsString()
  @MaxLength(10_000)
  @Matches(NO_NUL, { message: '$property must not contain NUL characters' })
  comment?: string | null;
}

/** The original Pre-Interview Test API's body for `POST /api/admin/scoring/{sid}/answer/{aid}`. */
export class AdminScoreAnswerDto {
  @ApiProperty({
    enum: ['correct', 'wrong', 'partial'],
    description: 'Informative: the stored status is derived from manual_score (0 wrong, all points correct)',
  })
  @IsIn(['correct', 'wrong', 'partial'])
  score_status: 'correct' | 'wrong' | 'partial';

  @ApiProperty({ minimum: 0 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  manual_score: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @IsOptional()
  @Nullable()
  @IsString()
  @MaxLength(10_000)
  @Matches(NO_NUL, { message: '$property must not contain NUL characters' })
  comments?: string | null;
}
