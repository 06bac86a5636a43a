// Every front-matter field newsgen writes, checked strictly: an unknown field, a wrong type or
// a missing one fails the build with the file's name. The same fields as newsgen's JSON Schema
// (generator/schemas/front-matter.schema.json in the newsgen package); tests/test_recipes.py
// builds this site from articles of every kind: real count, quick count, recap, an update with
// `previous`, review flags, aliases.
import { z } from "astro/zod";

const count = z.number().int().nonnegative();
// Keys are the tickets' ballot numbers ("1", "2", ...).
const byTicket = (value) => z.record(z.string().regex(/^[0-9]+$/), value);
const decimal = z.string().regex(/^[0-9]+(\.[0-9]+)?$/);
// newsgen writes date and lastmod as quoted ISO 8601 strings (every YAML reader gets the same
// text): coerced to a Date here, so pages sort and format them as dates. An unquoted YAML
// timestamp, as a CMS may write it, arrives as a Date and passes too.
const moment = z.coerce.date();
// Times inside params are kept as the data gave them: ISO 8601 strings.
const isoTime = z.string().datetime({ offset: true });

const figures = z.object({
  data_timestamp: isoTime,
  tps_reported: count,
  tps_total: count,
  results: byTicket(count),
}).strict();

const params = z.object({
  race: z.string().min(1),
  stage: z.enum(["real_count", "quick_count", "official_recap"]),
  data_timestamp: isoTime,
  // real count and official recap: votes and TPS
  tps_reported: count.optional(),
  tps_total: count.optional(),
  results: byTicket(count).optional(),
  // quick count: shares in percent ("55.90") and who counted
  shares: byTicket(decimal).optional(),
  quick_count: z.object({
    institute: z.string().min(1),
    sample_tps: count.optional(),
    margin_of_error: decimal.optional(),
    data_in: decimal.optional(),
  }).strict().optional(),
  source_url: z.string().url(),
  data_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  newsgen_version: z.string().min(1),
  // what an editor must check before publishing
  review_flags: z.array(z.string()).optional(),
  // an update: the figures the "Pembaruan" note compares with
  previous: figures.optional(),
  // the chart's path as the article shows it
  chart: z.string().optional(),
}).strict();

export const frontMatter = z.object({
  title: z.string().min(1),
  // search results and link previews: a short title and the description
  seo_title: z.string().min(1).max(70),
  description: z.string().min(1).max(160),
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  date: moment,
  lastmod: moment,
  draft: z.boolean(),
  summary: z.string(),
  author: z.string(),
  tags: z.array(z.string()),
  categories: z.array(z.string()),
  // the article's earlier URLs when its slug changed
  aliases: z.array(z.string()).optional(),
  // Jekyll's spellings (dated layout only)
  published: z.boolean().optional(),
  redirect_from: z.array(z.string()).optional(),
  params,
}).strict();
