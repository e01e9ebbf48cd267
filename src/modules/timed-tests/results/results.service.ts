import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { Page, PaginationQueryDto } from '../../../common/http/pagination';
import { DatabaseService } from '../../../database/database.service';
import { MySubmissionResponse, ResultDetailResponse, ResultResponse, ResultsEnvelope } from './dto/result.response';
import { ListResultsQueryDto, ResultFiltersDto } from './dto/result-queries.dto';
import { CSV_COLUMNS, csvLine, toMySubmission, toResultDetail, toResultResponse } from './result.view';
import { RESULT_NOT_FOUND } from './results.errors';
import { ResultFilters, ResultsRepository } from './results.repository';

const EXPORT_BATCH = 500;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The query's date range as [from, until): a date-only end means the whole of that day (UTC), as the original API did. */
export function resultFilters(query: ResultFiltersDto): ResultFilters {
  const start = query.start_date ?? query.from;
  const end = query.end_date ?? query.to;
  const filters: ResultFilters = { testId: query.test_id };
  if (start) filters.from = new Date(DATE_ONLY.test(start) ? `${start}T00:00:00Z` : start);
  if (end) {
    filters.until = DATE_ONLY.test(end)
      ? new Date(new Date(`${end}T00:00:00Z`).getTime() + 86_400_000)
      : new Date(new Date(end).getTime() + 1);
  }
  return filters;
}

/** Results of timed-test attempts for staff, and a candidate's own. Reviews are ReviewService's. */
@Injectable()
export class ResultsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly results: ResultsRepository,
  ) {}

  /** `page` given: the original Pre-Interview Test API's envelope (limit default 10); else a Page for X-Total-Count (limit default 100). */
  async list(ctx: AuthenticatedContext, query: ListResultsQueryDto): Promise<Page<ResultResponse> | ResultsEnvelope> {
    const filters = resultFilters(query);
    if (query.page !== undefined) {
      const limit = query.limit ?? 10;
      const [rows, total] = await this.db.transaction(ctx, (tx) =>
        this.results.list(tx, filters, { skip: (query.page! - 1) * limit, limit }),
      );
      const totalPages = Math.ceil(total / limit);
      return {
        results: rows.map(toResultResponse),
        pagination: {
          page: query.page,
          limit,
          total,
          total_pages: totalPages,
          has_next: query.page < totalPages,
          has_prev: query.page > 1,
        },
      };
    }
    const [rows, total] = await this.db.transaction(ctx, (tx) =>
      this.results.list(tx, filters, { skip: query.skip ?? 0, limit: query.limit ?? 100 }),
    );
    return { items: rows.map(toResultResponse), total };
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<ResultDetailResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const result = await this.results.findResult(tx, id);
      if (!result || result.status === 'in_progress') throw RESULT_NOT_FOUND();
      // a proctor reads only what it proctored (docs/proctoring.md "REST"): any other result does not exist for it
      if (tx.user.role === 'proctor' && !(await this.results.watchedBy(tx, result, tx.user.id))) {
        throw RESULT_NOT_FOUND();
      }
      return toResultDetail(result, await this.results.answers(tx, result));
    });
  }

  /**
   * Writes the CSV to `out` batch by batch (keyset pagination: never the whole result set in memory, and stable while
   * new results arrive), waiting for the client to drain between batches. Each batch is its own short unit of work,
   * read before the write: a slow download never holds a pooled connection or a transaction open while it drains.
   */
  async exportCsv(ctx: AuthenticatedContext, query: ResultFiltersDto, out: Writable): Promise<void> {
    const filters = resultFilters(query);
    await write(out, csvLine(CSV_COLUMNS));
    let after: { cursor_at: string; id: string } | null = null;
    for (;;) {
      const rows = await this.db.transaction(ctx, (tx) => this.results.batch(tx, filters, after, EXPORT_BATCH));
      if (rows.length === 0) break;
      const chunk = rows
        .map((row) => {
          const view = toResultResponse(row);
          return csvLine(CSV_COLUMNS.map((column) => view[column]));
        })
        .join('');
      await write(out, chunk);
      if (rows.length < EXPORT_BATCH || out.destroyed) break;
      const last = rows[rows.length - 1];
      after = { cursor_at: last.cursor_at, id: last.id };
    }
  }

  async mine(ctx: AuthenticatedContext, page: PaginationQueryDto): Promise<Page<MySubmissionResponse>> {
    const [rows, total] = await this.db.transaction(ctx, (tx) => this.results.mine(tx, page));
    return { items: rows.map(toMySubmission), total };
  }
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed) return;
  if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
}
