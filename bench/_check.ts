import { planStream, signSteps, customer, buildBody } from './lib/workload.js';
import { findConnector } from '../functions/connectors/index.js';
const steps = planStream(300, 42);
const reqs = signSteps(steps, { stream: 1, baseUrl: 'http://127.0.0.1:3000', secrets: { secret: 's' }, now: new Date(), tag: 't', startMs: Date.now() });
const by: Record<string, number> = {};
for (const r of reqs) by[r.touch] = (by[r.touch] ?? 0) + 1;
console.log(steps.length, by, reqs.filter(r => r.expectMerge).length);
const c = customer(1, 5);
for (const t of ['whatsapp','telegram','telegram-contact','marquiz','binotel','ringostat','shopify'] as const) {
  const b = buildBody(t, c, 7, Date.now(), 'x');
  const conn = findConnector(b.connector)!;
  const s = conn.signSample({ url: 'http://h/webhooks/'+conn.name, method: 'POST', body: b.body, contentType: b.contentType, now: new Date() }, { secret: 's' });
  const u = new URL(s.url); const q: any = {}; for (const [k,v] of u.searchParams) q[k]=v;
  const raw = { method: 'POST', url: s.url, path: u.pathname, query: q, headers: Object.fromEntries(Object.entries({ 'content-type': b.contentType, ...s.headers }).map(([k,v])=>[k.toLowerCase(),v])), body: s.body ?? b.body };
  const v = conn.verify(raw as any, { secret: 's' }, { now: new Date() });
  const r = conn.normalize(conn.parse(raw as any), { receivedAt: new Date().toISOString(), defaultCountry: 'UA' });
  console.log(t, (v as any).ok, b.body.length, r.events.map(e => [e.type, e.customer.identities.map(i => i.type+':'+i.value).join(','), e.occurredAt]));
}
