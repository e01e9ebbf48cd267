import { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import pinoHttp from 'pino-http';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { ErrorBody } from './common/errors/error-body';
import { documentErrorCodes, documentErrorResponses } from './common/http/api-errors';
import { finishOpenApiDocument } from './common/http/openapi-document';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { securityHeadersMiddleware } from './common/http/security-headers';
import { applyServerTimeouts } from './common/http/server-timeouts';
import { bodyShapeMiddleware, verifyJsonBytes } from './common/http/body-shape';
import { ContentTypeGuard } from './common/http/content-type.guard';
import { TextSafetyPipe } from './common/http/text-safety';
import { createValidationPipe } from './common/http/validation';
import { AppConfig } from './config/app-config';
import { EmbeddedMediaParser } from './modules/submissions/embedded-media/embedded-media.parser';
import { submissionBodyMiddleware } from './modules/submissions/embedded-media/submission-body.middleware';
import { APP_VERSION } from './version';
import { ERROR_CODES } from './modules/error-codes';
import { ProctoringIoAdapter } from './modules/proctoring/proctoring-io.adapter';

export const JSON_BODY_LIMIT = '1mb';

/** As body-parser decides it (type-is's hasBody): a Transfer-Encoding or a Content-Length, even 0. */
function declaresBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

/** Runs `steps` in order for a request that has a body; one that has none goes straight on. */
function bodyPipeline(steps: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    if (!declaresBody(req)) return next();
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) return next(error);
      const handler = steps[index++];
      if (!handler) return next();
      try {
        // as Express 5 does for a middleware that returns a promise: its rejection is the error
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.catch(step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

/** Everything main.ts and the tests share: middleware, pipes, filters, CORS, OpenAPI. */
export function setupApp(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  applyServerTimeouts(app.getHttpServer(), config.http);
  // Responses are per-user and sent with Cache-Control: no-store, so no client ever revalidates: hashing every
  // body for an ETag (SHA-1 of up to a megabyte) would be wasted work.
  app.set('etag', false);
  // First, so that a body refused before any route (malformed, too large, too deep, corrupt gzip) still gets them;
  // then the request id, which exists before a body can be rejected (the app is created with `bodyParser: false`).
  const securityHeaders = securityHeadersMiddleware();
  app.use(function prelude(req: Request, res: Response, next: NextFunction) {
    securityHeaders(req, res, () => requestIdMiddleware(req, res, next));
  });
  // The body, for requests that have one: POST /api/v1/submissions takes bodies up to SUBMISSION_MAX_BODY_BYTES
  // (embedded recordings) parsed off the event loop; every other JSON body goes to the 1 MB parser. The body's shape
  // is checked on the raw bytes before JSON.parse, then on the parsed value (README "Request bodies"). One layer,
  // skipped at once by bodiless requests (most GETs): each Express layer costs every request (bench a).
  app.use(
    bodyPipeline([
      submissionBodyMiddleware(app.get(EmbeddedMediaParser), config),
      json({ limit: JSON_BODY_LIMIT, verify: verifyJsonBytes }),
      bodyShapeMiddleware,
    ]),
  );
  if (config.logLevel !== 'silent') {
    app.use(
      pinoHttp({
        logger,
        genReqId: (req) => req.id ?? '',
        customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            // the query string may carry tokens; log the path only
            url: req.url.split('?')[0],
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      }),
    );
  }
  // No CORS_ORIGINS: no cross-origin browser access at all (no CORS headers; never `*` with credentials).
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: true,
      exposedHeaders: ['X-Request-Id', 'X-Total-Count', 'Retry-After', 'Content-Disposition'],
    });
  }
  app.useGlobalGuards(new ContentTypeGuard(app.get(Reflector)));
  app.useGlobalPipes(new TextSafetyPipe(), createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // Socket.IO (the proctoring gateway): size cap, CORS and, with REDIS_URL, the Redis adapter across instances
  app.useWebSocketAdapter(new ProctoringIoAdapter(app, config));
  setupOpenApi(app);
}

/** The OpenAPI document of the app's routes (served at /docs-json; written to a file by scripts/write-openapi.ts). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Trajectorie API')
      .setDescription(
        'Multi-tenant pre-employment assessment platform. Errors share one body: ' +
          '{status_code, code, detail, path, request_id, errors?}. Each operation lists in `x-roles` the roles ' +
          'that may call it; public operations (`security: []`) need no token.',
      )
      .setVersion(APP_VERSION)
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'This server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
    { extraModels: [ErrorBody] },
  );
  return finishOpenApiDocument(documentErrorResponses(documentErrorCodes(document, ERROR_CODES)));
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { deepLinking: true, persistAuthorization: true },
  });
}
