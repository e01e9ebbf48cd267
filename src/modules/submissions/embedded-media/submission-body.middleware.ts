import type { Request, RequestHandler } from 'express';
import { AppError } from '../../../common/errors/app-error';
import { largeJsonBody } from '../../../common/http/large-json-body';
import type { AppConfig } from '../../../config/app-config';
import { EmbeddedMediaParser } from './embedded-media.parser';
import type { EmbeddedMediaField, ExtractOutcome } from './extract-embedded-media';
import { MALFORMED_JSON, PAYLOAD_TOO_LARGE } from '../../../common/errors/common.errors';
import { INVALID_DATA_URI } from '../submissions.errors';

/** A recording taken out of a submission body (see extractEmbeddedMedia), as the create route receives it. */
export interface EmbeddedMedia {
  entryIndex: number;
  field: EmbeddedMediaField;
  declaredType: string;
  bytes: Buffer;
}

export const SUBMISSIONS_PATH = '/api/v1/submissions';

/**
 * What a submission body may weigh once its recordings are taken out: the global JSON limit (1 MB), so only the
 * recordings make a body large, and what is stored in the row and validated on the event loop stays small.
 */
export const SUBMISSION_TEXT_MAX_BYTES = 1024 * 1024;

/**
 * `POST /api/v1/submissions` bodies, up to SUBMISSION_MAX_BODY_BYTES: streamed to EmbeddedMediaParser (a worker
 * thread for large ones) as they arrive, the entries' data URIs decoded into `req.embeddedMedia` and nulled in `req.body`.
 * Register it before the global JSON parser (setupApp).
 */
export function submissionBodyMiddleware(parser: EmbeddedMediaParser, config: AppConfig): RequestHandler {
  return largeJsonBody({
    method: 'POST',
    path: SUBMISSIONS_PATH,
    limit: config.submissionMaxBodyBytes,
    receive: (req) => {
      const session = parser.session({ maxResidualBytes: SUBMISSION_TEXT_MAX_BYTES });
      return {
        push: (chunk) => session.push(chunk),
        cancel: () => session.cancel(),
        finish: async () => applyOutcome(req, await session.finish()),
      };
    },
  });
}

/** Sets the parsed body and the recordings on the request, or throws the error the client gets. */
function applyOutcome(req: Request, outcome: ExtractOutcome): void {
  if (!outcome.ok && outcome.kind === 'malformed_json') throw MALFORMED_JSON();
  if (!outcome.ok && outcome.kind === 'shape') throw AppError.badRequest(outcome.code, outcome.detail, outcome.errors);
  if (!outcome.ok && outcome.kind === 'too_large') {
    throw PAYLOAD_TOO_LARGE(
      `Request body too large: apart from recorded answers (data URIs) it may hold ${SUBMISSION_TEXT_MAX_BYTES} bytes`,
    );
  }
  if (!outcome.ok) {
    throw INVALID_DATA_URI(outcome.field, outcome.message);
  }
  // Like the global parser (strict): only an object or an array is a JSON body.
  if (outcome.body === null || typeof outcome.body !== 'object') {
    throw MALFORMED_JSON();
  }
  req.body = outcome.body;
  req.embeddedMedia = outcome.embedded.map((media) => ({
    entryIndex: media.entryIndex,
    field: media.field,
    declaredType: media.declaredType,
    bytes: Buffer.from(media.bytes.buffer, media.bytes.byteOffset, media.bytes.byteLength),
  }));
}
