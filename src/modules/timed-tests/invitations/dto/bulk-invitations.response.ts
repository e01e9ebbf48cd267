import { ApiProperty } from '@nestjs/swagger';
import { InvitationWithTokenResponse } from './invitation.response';

export class BulkRowError {
  @ApiProperty({ description: 'JSON: the 1-based index in `invites`; CSV: the line in the file (the header is 1)' })
  row: number;

  @ApiProperty()
  detail: string;
}

export class BulkInvitationsResponse {
  @ApiProperty({ type: [InvitationWithTokenResponse] })
  created: InvitationWithTokenResponse[];

  @ApiProperty({ type: [BulkRowError] })
  errors: BulkRowError[];
}
