import { sql } from './test-server';

/**
 * Everything an operator action could change (leads, dispatches, batches, attempts, pauses, the
 * audit log), to show that a refused request changed nothing.
 */
export async function operatorState(databaseUrl: string): Promise<Record<string, unknown[]>> {
  return {
    lead: await sql(databaseUrl, 'select * from lead order by id'),
    dispatch: await sql(databaseUrl, 'select * from dispatch order by id'),
    batch: await sql(databaseUrl, 'select * from batch order by id'),
    attempt: await sql(databaseUrl, 'select * from attempt order by id'),
    control: await sql(databaseUrl, 'select * from delivery_control order by campaign_id, delivery_id'),
    audit: await sql(databaseUrl, 'select * from audit_log order by id'),
  };
}
