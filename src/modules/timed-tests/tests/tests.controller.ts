import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/decorators';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { Endpoint, pageOf } from '../../../common/http/endpoint.decorator';
import { Page } from '../../../common/http/pagination';
import { UuidParam } from '../../../common/http/uuid-param';
import { CreateTestDto, UpdateTestDto } from './dto/test-input.dto';
import { ListTestsQueryDto } from './dto/test-queries.dto';
import { TestResponse } from './dto/test.response';
import { TestsService } from './tests.service';

const STAFF = ['superadmin', 'admin'] as const;

/** The original Pre-Interview Test API's `/api/tests` (admins of the tenant; a superadmin in every tenant). Responses carry answer keys. */
@ApiTags('tests')
@Controller('api/tests')
export class TestsController {
  constructor(private readonly tests: TestsService) {}

  @Get()
  @Endpoint({
    roles: STAFF,
    summary: 'List tests, newest first, with the questions of their current version (deleted ones on request)',
    ok: pageOf(TestResponse),
    errors: [400, 401, 403],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListTestsQueryDto): Promise<Page<TestResponse>> {
    return this.tests.list(ctx, query);
  }

  @Post()
  @Endpoint({
    roles: STAFF,
    summary: 'Create a test (version 1) with its questions; client question ids are ignored',
    ok: TestResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404],
  })
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateTestDto): Promise<TestResponse> {
    return this.tests.create(ctx, dto);
  }

  @Get(':id')
  @Endpoint({
    roles: STAFF,
    summary: 'Get a test with its answer keys (deleted tests too)',
    ok: TestResponse,
    errors: [400, 401, 403, 404],
  })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string): Promise<TestResponse> {
    return this.tests.get(ctx, id);
  }

  @Put(':id')
  @Endpoint({
    roles: STAFF,
    summary: 'Replace a test: rewrites the current version while no attempt used it, else makes version + 1',
    description:
      'Past attempts keep the version (questions, answers, scores) they were taken on. An identical body changes ' +
      'nothing. A deleted test is 409 TEST_DELETED.',
    ok: TestResponse,
    errors: [400, 401, 403, 404, 409],
  })
  update(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string, @Body() dto: UpdateTestDto): Promise<TestResponse> {
    return this.tests.update(ctx, id, dto);
  }

  @Delete(':id')
  @Endpoint({
    roles: STAFF,
    summary: 'Delete a test (soft: is_active false); 409 while invitations are sent, scheduled or in progress',
    ok: { type: TestResponse, description: 'The test as left (inactive)' },
    errors: [400, 401, 403, 404, 409],
  })
  remove(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string): Promise<TestResponse> {
    return this.tests.remove(ctx, id);
  }
}
