// The ORM against raw `pg` on the same Postgres server: a 20-row page with a join (selectRelated) and a
// 10,000-row bulkCreate, each interleaved with its baseline; ratios > 1 mean the ORM was faster.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Context, Scenario } from '../harness/index.mjs';
import { closeDatabases, configureDatabases, fields, makeMigrations, migrate, model, rawQuery, type Instance } from '@paddock/runtime';

const Writer = model('benchorm.Writer', { name: fields.char({ maxLength: 100 }), email: fields.email() });
const Article = model('benchorm.Article', {
  title: fields.char({ maxLength: 200 }),
  body: fields.text(),
  views: fields.integer({ default: 0 }),
  published: fields.datetime(),
  writer: fields.foreignKey<Instance<typeof Writer>>('benchorm.Writer', { onDelete: 'cascade', relatedName: 'articles' }),
}, { ordering: ['-published'] });

const CONCURRENCY = 8;
const BULK_ROWS = 10_000;

/** Runs `op` in CONCURRENCY loops for `seconds`; operations per second. */
async function throughput(seconds: number, op: () => Promise<unknown>): Promise<{ opsPerSec: number }> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) { await op(); n++; }
  }));
  return { opsPerSec: n / seconds };
}

const scenario: Scenario = {
  name: 'orm-vs-pg',
  description: 'ORM selectRelated page of 20 and bulkCreate of 10,000 rows vs raw pg on the same server',
  target: { ratio: 0.7, compare: '>=' },
  async run(ctx: Context) {
    const adminUrl = process.env.PADDOCK_PG_ADMIN_URL;
    if (!adminUrl) throw new Error('PADDOCK_PG_ADMIN_URL is unset: run `npm run stack` and load ~/.local/state/paddock/stack.env before npm run bench.');
    const dbName = `pdk_bench_orm_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    admin.on('error', (err) => ctx.log(`admin connection: ${err.message}`));
    await admin.query(`create database "${dbName}"`);
    ctx.defer(async () => {
      await admin.query(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    });
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    await configureDatabases({ default: { url: url.toString(), max: CONCURRENCY } });
    ctx.defer(() => closeDatabases());
    const raw = new pg.Pool({ connectionString: url.toString(), max: CONCURRENCY });
    raw.on('error', (err) => ctx.log(`raw pool: ${err.message}`));
    ctx.defer(() => raw.end());

    const apps = [{ label: 'benchorm', dir: await ctx.tmpDir('orm') }];
    await makeMigrations({ apps });
    await migrate({ apps });
    const writers = await Writer.objects.bulkCreate(Array.from({ length: 50 }, (_, i) => ({ name: `Writer ${i}`, email: `w${i}@example.com` })));
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    await Article.objects.bulkCreate(Array.from({ length: 2000 }, (_, i) => ({
      title: `Article ${i}`, body: 'Lorem ipsum '.repeat(20), views: i, published: new Date(t0 + i * 60_000), writer: writers[i % writers.length] as Instance<typeof Writer>,
    })));
    await rawQuery('analyze');

    // -- a page of 20 with its writers
    const cutoff = new Date(t0 + 1500 * 60_000);
    const ormPage = () => Article.objects.filter({ published__lte: cutoff }).selectRelated('writer').limit(20).fetch();
    const rawText = 'select a.id, a.title, a.body, a.views, a.published, a.writer_id, w.id as w_id, w.name as w_name, w.email as w_email '
      + 'from benchorm_article a join benchorm_writer w on w.id = a.writer_id where a.published <= $1 order by a.published desc limit 20';
    const rawPage = async () => (await raw.query(rawText, [cutoff])).rows;
    const check = await ormPage();
    const rawCheck = await rawPage();
    if (check.length !== 20 || rawCheck.length !== 20 || check[0]?.writer.name !== rawCheck[0]?.w_name) throw new Error('The ORM and raw queries disagree.');
    const seconds = Math.max(1, ctx.duration);
    const fetchRuns = await ctx.interleave({ orm: () => throughput(seconds, ormPage), raw: () => throughput(seconds, rawPage) });

    // -- 10,000 rows in one go
    const rows = () => Array.from({ length: BULK_ROWS }, (_, i) => ({
      title: `Bulk ${i}`, body: 'x', views: i, published: new Date(t0 + i * 1000), writerId: (writers[i % writers.length] as Instance<typeof Writer>).id,
    }));
    const timed = async (fn: () => Promise<unknown>) => {
      await rawQuery('delete from benchorm_article where title like $1', ['Bulk %']);
      const start = performance.now();
      await fn();
      return { ms: performance.now() - start };
    };
    const ormBulk = () => timed(() => Article.objects.bulkCreate(rows()));
    const rawBulk = () => timed(async () => {
      const data = rows();
      const params: unknown[] = [];
      const tuples = data.map((r) => {
        const k = params.length;
        params.push(r.title, r.body, r.views, r.published, r.writerId);
        return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5})`;
      });
      await raw.query(`insert into benchorm_article (title, body, views, published, writer_id) values ${tuples.join(', ')} returning id`, params);
    });
    const bulkRuns = await ctx.interleave({ orm: ormBulk, raw: rawBulk }, { rounds: Math.max(3, ctx.rounds) });

    const ormOps = ctx.median(fetchRuns.orm.map((r) => r.opsPerSec));
    const rawOps = ctx.median(fetchRuns.raw.map((r) => r.opsPerSec));
    const ormMs = ctx.median(bulkRuns.orm.map((r) => r.ms));
    const rawMs = ctx.median(bulkRuns.raw.map((r) => r.ms));
    return [
      {
        subject: 'ORM selectRelated, 20 rows',
        baseline: 'raw pg join, 20 rows',
        measured: { 'orm q/s': Math.round(ormOps), 'pg q/s': Math.round(rawOps) },
        ratio: ctx.pairedRatio(fetchRuns.orm, fetchRuns.raw, (r) => r.opsPerSec),
        target: { ratio: 0.7, compare: '>=' },
      },
      {
        subject: `ORM bulkCreate ${BULK_ROWS}`,
        baseline: `raw multi-row INSERT ${BULK_ROWS}`,
        measured: { 'orm ms': Math.round(ormMs), 'pg ms': Math.round(rawMs) },
        // Rates (1 / time), subject over baseline: above 1 the ORM was faster.
        ratio: ctx.pairedRatio(bulkRuns.orm, bulkRuns.raw, (r) => 1 / r.ms),
        target: { ratio: 0.8, compare: '>=' },
      },
    ];
  },
};

export default scenario;
