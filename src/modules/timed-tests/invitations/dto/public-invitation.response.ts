import { ApiProperty } from '@nestjs/swagger';
import { CandidateTestView } from '../../tests/candidate-test.view';
import { CandidateInvitationResponse } from './invitation.response';

/** GET /api/invites/token/{token}: the invitation and its test, without answer keys or the token. */
export class PublicInvitationResponse {
  @ApiProperty({ type: CandidateInvitationResponse }) invite: CandidateInvitationResponse;
  @ApiProperty({ type: CandidateTestView }) test: CandidateTestView;
}
