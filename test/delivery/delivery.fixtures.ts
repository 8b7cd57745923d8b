import * as net from 'node:net';
import { eventually, sql, type TestServer } from '../support/test-server';

/** Secrets the delivery campaigns read with env(): they must reach the buyer and never the attempt log. */
export const SECRETS = {
  user: 'relay-user',
  password: 'pw-9f2c-Secr3t-pass',
  partnerToken: 'partner-tok-77aa31e0',
  bearerToken: 'bearer-tok-5e1d0c42',
} as const;

export const INTAKE_KEY = 'delivery-key';

/** The environment for test/campaigns-delivery, each buyer URL on the test buyer under its own path. */
export function deliveryEnv(buyerUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    CAMPAIGNS_DIR: 'test/campaigns-delivery',
    DELIVERY_BUYER_USER: SECRETS.user,
    DELIVERY_BUYER_PASSWORD: SECRETS.password,
    DELIVERY_PARTNER_TOKEN: SECRETS.partnerToken,
    DELIVERY_BEARER_TOKEN: SECRETS.bearerToken,
    DELIVERY_JSON_URL: `${buyerUrl}/json`,
    DELIVERY_XML_URL: `${buyerUrl}/xml`,
    DELIVERY_HTML_URL: `${buyerUrl}/html`,
    DELIVERY_TEXT_URL: `${buyerUrl}/text`,
    DELIVERY_BEARER_URL: `${buyerUrl}/bearer`,
    DELIVERY_TEMPLATE_URL: `${buyerUrl}/template`,
    DELIVERY_LOAD_URL: `${buyerUrl}/load`,
    ...extra,
  };
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Submitted {
  id: string;
  dispatches: { id: string; delivery: string; status: string; reason?: string }[];
}

/** Posts a lead to a delivery campaign; `wait` asks intake to answer with final statuses. */
export async function submit(server: { url: string }, campaign: string, lead: Record<string, string>, wait?: number): Promise<Submitted> {
  const query = wait === undefined ? '' : `?wait=${wait}`;
  const res = await fetch(`${server.url}/v1/campaigns/${campaign}/leads${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': INTAKE_KEY },
    body: JSON.stringify(lead),
  });
  if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** The lead from the admin API once none of its dispatches is pending. */
export async function settled(server: TestServer, leadId: string, timeoutMs = 20_000): Promise<any> {
  return eventually(
    async () => {
      const res = await fetch(`${server.url}/v1/leads/${leadId}`, { headers: server.admin });
      const lead = await res.json();
      return lead.dispatches.every((d: any) => d.status !== 'pending') ? lead : undefined;
    },
    timeoutMs,
    `lead ${leadId} to settle`,
  );
}

/** A dispatch's attempt rows straight from PostgreSQL, oldest first. */
export function attemptRows(server: TestServer, dispatchId: string) {
  return sql(server.databaseUrl, 'select * from attempt where dispatch_id = $1 order by at, id', [dispatchId]);
}

/** Counts of dispatches by status, e.g. `{ delivered: 2000 }`. */
export async function statusCounts(databaseUrl: string, campaign?: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }>(
    databaseUrl,
    `select status, count(*)::int as n from dispatch ${campaign ? 'where campaign_id = $1' : ''} group by status`,
    campaign ? [campaign] : [],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Posts leads `concurrency` at a time; returns, per lead email, its dispatch id. */
export async function submitMany(server: { url: string }, campaign: string, leads: Record<string, string>[], concurrency = 16): Promise<Map<string, string>> {
  const dispatchOf = new Map<string, string>();
  let next = 0;
  const lane = async () => {
    while (next < leads.length) {
      const lead = leads[next++];
      const accepted = await submit(server, campaign, lead);
      dispatchOf.set(lead.email, accepted.dispatches[0].id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return dispatchOf;
}

/** Every request the buyer got, grouped by lead email, each with the Idempotency-Keys it carried. */
export function keysByLead(received: { headers: Record<string, unknown>; body: string }[]): Map<string, string[]> {
  const byLead = new Map<string, string[]>();
  for (const req of received) {
    const email = new URLSearchParams(req.body).get('email') ?? '';
    byLead.set(email, [...(byLead.get(email) ?? []), String(req.headers['idempotency-key'])]);
  }
  return byLead;
}
