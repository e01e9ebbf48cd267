import { Module } from '@nestjs/common';
import { InvitationAdmissionService } from './invitation-admission.service';

@Module({ providers: [InvitationAdmissionService], exports: [InvitationAdmissionService] })
export class InvitationAdmissionModule {}
