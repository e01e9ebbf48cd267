import { ApiProperty } from '@nestjs/swagger';
import { CandidateTest } from '../test-content.reader';
import { CandidateInvitationResponse } from './invitation.response';

/** GET /api/invites/token/{token}: the invitation and its test, without answer keys or the token. */
export class PublicInvitationResponse {
  @ApiProperty({ type: CandidateInvitationResponse }) invite: CandidateInvitationResponse;
  @ApiProperty({ type: CandidateTest }) test: CandidateTest;
}
