import { DomainError } from '../common/domain.error';

const STATUSES = new Set(['pending', 'delivered', 'rejected', 'failed', 'skipped']);

/** How the admin API and exports narrow a campaign's leads (query parameters, as given). */
export interface LeadFilter {
  status?: string;
  delivery?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
}

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new DomainError('bad_request', `${name} must be an ISO-8601 time.`);
  return date;
}

/**
 * The lead filter as SQL on alias `l`, its values appended to `params`; shared by the lead list
 * and by exports. A status (and delivery) matches a lead when one of its dispatches has it.
 */
export function leadConditions(campaignId: string, filter: LeadFilter, params: unknown[]): string {
  if (filter.status && !STATUSES.has(filter.status)) throw new DomainError('bad_request', `status must be one of ${[...STATUSES].join(', ')}.`);
  params.push(campaignId);
  const where = [`l.campaign_id = $${params.length}`];
  const since = parseTime(filter.since, 'since');
  const until = parseTime(filter.until, 'until');
  if (since) {
    params.push(since);
    where.push(`l.received_at >= $${params.length}`);
  }
  if (until) {
    params.push(until);
    where.push(`l.received_at < $${params.length}`);
  }
  if (filter.status || filter.delivery) {
    const sub = ['d.lead_id = l.id'];
    if (filter.status) {
      params.push(filter.status);
      sub.push(`d.status = $${params.length}`);
    }
    if (filter.delivery) {
      params.push(filter.delivery);
      sub.push(`d.delivery_id = $${params.length}`);
    }
    where.push(`exists (select 1 from dispatch d where ${sub.join(' and ')})`);
  }
  return where.join(' and ');
}
