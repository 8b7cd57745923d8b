import { Client } from 'pg';
import { submitLead } from '../files/lead-files.fixture';
import type { TestBuyer } from '../support/test-buyer';
import type { TestServer } from '../support/test-server';

export const CAMPAIGNS_DIR = 'test/erasure/campaigns';
const KEYS: Record<string, string> = { 'erasure-realtime': 'erasure-rt-key', 'erasure-files': 'erasure-files-key' };

/** One lead through intake, as a lead source sends it; returns the lead's id. */
export async function submit(server: TestServer, campaign: string, body: Record<string, string>): Promise<string> {
  return (await submitLead(server, campaign, body, KEYS[campaign])).id;
}

/** The buyer accepts every lead and answers with the lead it was sent (a form body), as some buyers do. */
export function echoLeads(buyer: TestBuyer): void {
  buyer.handler = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ result: 'success', lead: Object.fromEntries(new URLSearchParams(req.body)) }));
  };
}

/**
 * Every `table.column` of the database whose text holds `needle` (any letter case): each text,
 * varchar, json, jsonb and array column of every table, its rows cast to text and searched.
 */
export async function placesHolding(databaseUrl: string, needle: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
        order by 1, 2`,
    );
    if (columns.length < 20) throw new Error(`only ${columns.length} text columns found: the search would prove nothing`);
    const places: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from "${table}" where strpos(lower("${column}"::text), lower($1)) > 0`,
        [needle],
      );
      if (rows[0].n) places.push(`${table}.${column}`);
    }
    return places;
  } finally {
    await client.end();
  }
}
