import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { AppError } from '../../../common/errors/app-error';
import { PAYLOAD_TOO_LARGE, VALIDATION_ERROR } from '../../../common/errors/common.errors';
import { AppConfigService } from '../../../config/app-config.service';
import { DatabaseService } from '../../../database/database.service';
import { BulkCsvFieldsDto, BulkInvitationsDto, BulkInviteeDto } from './dto/create-invitation.dto';
import { BulkInvitationsResponse, BulkRowError } from './dto/bulk-invitations.response';
import { CsvError, parseInvitationCsv } from './invitation-csv';
import { INVALID_INVITATION_CSV } from './invitations.errors';
import { InvitationsService } from './invitations.service';

const VALIDATE = { whitelist: true, forbidNonWhitelisted: true } as const;

function messages(errors: ValidationError[]): string {
  return errors
    .flatMap((error) =>
      Object.values(error.constraints ?? {}).map((m) =>
        m.replace(/^property (\S+) should not exist$/, 'unknown field "$1"'),
      ),
    )
    .join('; ');
}

async function validated<T extends object>(cls: new () => T, plain: unknown): Promise<T | string> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) return 'must be an object';
  const instance = plainToInstance(cls, plain);
  const errors = await validate(instance, VALIDATE);
  return errors.length > 0 ? messages(errors) : instance;
}

export interface UploadedCsv {
  buffer: Buffer;
  size: number;
}

/**
 * Many invitations to one test from a JSON list or an uploaded CSV. Rows are checked one by one: a bad row (or an
 * e-mail already seen earlier in the same request) goes to `errors` with its row number, every good one becomes its
 * own invitation and e-mail in its own transaction, so one failing row never takes the others with it.
 */
@Injectable()
export class InvitationBulkService {
  constructor(
    private readonly db: DatabaseService,
    private readonly invitations: InvitationsService,
    private readonly config: AppConfigService,
  ) {}

  async create(
    ctx: AuthenticatedContext,
    body: unknown,
    file: UploadedCsv | undefined,
  ): Promise<BulkInvitationsResponse> {
    const { bulkMaxRows, bulkMaxBytes } = this.config.values.timedTests;
    let testId: string;
    let rows: { row: number; value: unknown }[];
    if (file) {
      const fields = await validated(BulkCsvFieldsDto, body ?? {});
      if (typeof fields === 'string') throw VALIDATION_ERROR([{ field: 'body', message: fields }], fields);
      if (file.size > bulkMaxBytes) throw PAYLOAD_TOO_LARGE(`The CSV file is larger than ${bulkMaxBytes} bytes`);
      testId = fields.test_id;
      try {
        rows = parseInvitationCsv(file.buffer).map(({ row, values }) => ({ row, value: values }));
      } catch (error) {
        if (error instanceof CsvError) throw INVALID_INVITATION_CSV(error.message);
        throw error;
      }
    } else {
      const dto = await validated(BulkInvitationsDto, body);
      if (typeof dto === 'string') throw VALIDATION_ERROR([{ field: 'body', message: dto }], dto);
      testId = dto.test_id;
      rows = dto.invites.map((value, index) => ({ row: index + 1, value }));
    }
    if (rows.length === 0) throw INVALID_INVITATION_CSV('The file has no invitee rows');
    if (rows.length > bulkMaxRows) throw PAYLOAD_TOO_LARGE(`At most ${bulkMaxRows} invitations per request`);

    const test = await this.db.transaction(ctx, (tx) => this.invitations.activeTest(tx, testId));
    const result: BulkInvitationsResponse = { created: [], errors: [] };
    const seen = new Set<string>();
    for (const { row, value } of rows) {
      const error = (detail: string) => result.errors.push({ row, detail } satisfies BulkRowError);
      if (value && typeof value === 'object' && '__extra' in value) {
        error('The row has more fields than the header');
        continue;
      }
      const invitee = await validated(BulkInviteeDto, value);
      if (typeof invitee === 'string') {
        error(invitee);
        continue;
      }
      if (seen.has(invitee.applicant_email)) {
        error(`Duplicate e-mail in this request: ${invitee.applicant_email}`);
        continue;
      }
      seen.add(invitee.applicant_email);
      try {
        result.created.push(await this.db.transaction(ctx, (tx) => this.invitations.createOne(tx, test, invitee, {})));
      } catch (failure) {
        if (!(failure instanceof AppError) || failure.status >= 500) throw failure;
        error(failure.detail);
      }
    }
    return result;
  }
}
