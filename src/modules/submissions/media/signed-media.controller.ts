import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiHeader, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx } from '../../../common/auth/decorators';
import { RequestContext } from '../../../common/context/request-context';
import { Endpoint } from '../../../common/http/endpoint.decorator';
import { UuidParam } from '../../../common/http/uuid-param';
import { sendMediaDownload } from './media-download';
import { MediaService } from './media.service';

/**
 * The target of a local-storage `storage_url`: a recording a browser can play in `<video src>` without a token,
 * authorised by the link's signature alone (MediaUrlSigner). It may be embedded by a frontend on another origin,
 * so this route alone answers `Cross-Origin-Resource-Policy: cross-origin`.
 */
@ApiTags('submissions')
@Controller('api/v1/media')
export class SignedMediaController {
  constructor(private readonly media: MediaService) {}

  @Get(':media_id/file')
  @Endpoint({
    roles: 'public',
    summary: 'Download a media file through a signed, expiring link (the storage_url of local storage)',
    description:
      'No token: the expires/signature pair authorises this one file for at most 15 minutes. A tampered, foreign ' +
      'or expired signature is 403 and nothing is sent. Range requests are honoured as on the /content route.',
    ok: { description: 'The whole file', schema: { type: 'string', format: 'binary' } },
    errors: [400, 403, 404],
  })
  @ApiQuery({ name: 'expires', description: 'Unix time (seconds) when the link stops working' })
  @ApiQuery({ name: 'signature', description: 'HMAC of the media id and expiry, base64url' })
  @ApiHeader({ name: 'Range', required: false, description: 'bytes=start-end, bytes=start- or bytes=-suffix' })
  @ApiProduces('video/*', 'audio/*', 'application/json')
  @ApiResponse({ status: 206, description: 'The requested byte range', schema: { type: 'string', format: 'binary' } })
  @ApiFoundResponse({ description: 'The file is on S3: Location is a presigned link' })
  @ApiResponse({ status: 416, description: 'Range not satisfiable (Content-Range: bytes */size)' })
  async file(
    @Ctx() ctx: RequestContext,
    @UuidParam('media_id') mediaId: string,
    @Query('expires') expires: unknown,
    @Query('signature') signature: unknown,
    @Headers('range') range: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const download = await this.media.downloadSigned(ctx, mediaId, { expires, signature }, { range, ifRange });
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    await sendMediaDownload(res, download);
  }
}
