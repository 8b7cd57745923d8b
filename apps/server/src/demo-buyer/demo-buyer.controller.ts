import { randomUUID } from 'node:crypto';
import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { parseObjectBody, readBody } from '../common/request-body';

/**
 * A pretend buyer for `npm start`, so a newcomer sees real-time delivery work end to end: it
 * accepts most leads, rejects out-of-area ZIP codes (starting with 9) with a reason, and answers
 * 503 now and then so retries show in the attempt log. Turn it off with DEMO_BUYER=off.
 */
@Controller('demo-buyer')
// A pretend buyer, not the host's API: left out of its document.
@ApiExcludeController()
export class DemoBuyerController {
  private seen = 0;

  @Post('leads')
  async receive(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const lead = parseObjectBody(await readBody(req), req.headers['content-type']);
    this.seen += 1;
    if (this.seen % 5 === 0) {
      res.status(503).header('Retry-After', '2').send({ result: 'error', reason: 'Busy, try again shortly' });
      return;
    }
    const zip = String(lead.zip ?? lead.PostalCode ?? lead.postal_code ?? '');
    if (zip.startsWith('9')) {
      res.status(200).send({ result: 'failure', reason: `Out of service area (${zip})` });
      return;
    }
    res.status(200).send({ result: 'success', id: `demo-${randomUUID().slice(0, 8)}`, price: 12.5 });
  }
}
