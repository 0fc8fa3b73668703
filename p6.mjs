import Database from 'better-sqlite3';
const db = new Database('/tmp/imp-scratch/fresh.db');
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('temp_store = FILE');
const cache = Number(process.argv[2] ?? 16000);
db.pragma(`cache_size = -${cache}`); db.pragma('temp.cache_size = -16000');
const t = (label, f) => { const t0 = performance.now(); const r = f(); console.log(label, (performance.now() - t0).toFixed(0), 'ms', typeof r === 'number' ? r : '', Math.round(process.resourceUsage().maxRSS/1024)+'MB'); };
const cols = ['id','email','email_key','mailbox_key','base_key','email_rev','role','first_name','last_name','first_key','last_key','dob','status','email_verified_at','created_at','last_active_at','state'];
db.exec(`ATTACH '/tmp/big.db' AS big`);
t('stage accounts', () => { db.exec(`CREATE TEMP TABLE sa AS SELECT rowid AS line, ${cols.join(',')} FROM big.accounts ORDER BY rowid`); });
db.exec('DETACH big');
t('index sa id', () => { db.exec(`CREATE INDEX temp.sa_id ON sa(id)`); });
const mode = process.argv[3];
t(`fresh insert ${mode}`, () => {
  db.exec('BEGIN IMMEDIATE');
  let idx = [];
  if (mode === 'rebuild') { idx = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='accounts' AND sql IS NOT NULL`).all(); for (const i of idx) db.exec(`DROP INDEX main."${i.name}"`); }
  const r = db.prepare(`INSERT INTO main.accounts (${cols}) SELECT ${cols} FROM sa WHERE true ${mode === 'csv' ? '' : 'ORDER BY id'} ON CONFLICT(id) DO NOTHING`).run().changes;
  for (const i of idx) db.exec(i.sql);
  db.exec('COMMIT'); return r; });
db.close();
