import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Endpoint } from '../../common/http/endpoint.decorator';
import { NoThrottle } from '../../common/throttle/api-throttle';
import { WebAsset, WebPagesService } from './web-pages.service';
import { NOT_FOUND } from '../../common/errors/common.errors';

const HTML = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };

/**
 * The proctor's dashboard and the candidate's test page (README, "Live proctoring pages"). Public: the pages hold no
 * data; the dashboard logs in through the API, the candidate page is authorised by the token in its URL, which only
 * its script reads. Security headers (strict CSP, no-referrer) come from the middleware (security-headers.ts).
 * Static and cheap, so outside the API throttle: a test centre's candidates share one address.
 */
@ApiTags('pages')
@Controller()
@NoThrottle()
export class WebPagesController {
  constructor(private readonly pages: WebPagesService) {}

  @Get('proctor')
  @Endpoint({ roles: 'public', summary: 'The proctoring dashboard (HTML)', ok: HTML, errors: [] })
  proctor(@Res() res: Response): void {
    send(res, this.pages.page('proctor'));
  }

  @Get('take/:token')
  @Endpoint({ roles: 'public', summary: 'The candidate page of an invitation (HTML)', ok: HTML, errors: [] })
  @ApiParam({ name: 'token', description: "The invitation token of the e-mailed link (read by the page's script)" })
  take(@Res() res: Response): void {
    // the token is not looked at here: the page's script sends it to the token routes, which check it
    send(res, this.pages.page('take'));
  }

  @Get('web/:asset')
  @Endpoint({
    roles: 'public',
    summary: 'A script or style sheet of the pages (the Socket.IO client included)',
    ok: { description: 'The file', content: { 'text/javascript': { schema: { type: 'string' } } } },
    errors: [404],
  })
  asset(@Param('asset') name: string, @Res() res: Response): void {
    const asset = this.pages.asset(name);
    if (!asset) throw NOT_FOUND('No such file');
    send(res, asset);
  }
}

function send(res: Response, asset: WebAsset): void {
  res.status(200).type(asset.contentType).send(asset.body);
}
