// Demo datasets: names, categories, typed columns and 50-200 stored rows each, with a few missing cells, values of
// the wrong type and repeated rows, so that quality scores differ from one dataset to the next.
import type { Kysely } from 'kysely';
import type { Random } from '../db/random.js';
import type { ColumnSpec, Tables } from '../db/tables.js';

export const CATEGORIES = [
  'Agriculture', 'Education', 'Energy', 'Environment', 'Finance', 'Health', 'Housing',
  'Labor', 'Public Safety', 'Retail', 'Sports', 'Telecommunications', 'Tourism', 'Transportation',
] as const;

const PLACES = ['Chicago', 'Lagos', 'Oslo', 'Lima', 'Osaka', 'Denver', 'Porto', 'Nairobi', 'Quebec', 'Seoul', 'Austin', 'Lyon'];
const SUBJECTS = ['Permits', 'Inspections', 'Sensor Readings', 'Trips', 'Enrollments', 'Prices', 'Incidents',
  'Outages', 'Harvests', 'Claims', 'Visits', 'Surveys', 'Budgets', 'Emissions', 'Tickets', 'Contracts'];
const COLUMN_POOL: ColumnSpec[] = [
  { name: 'amount', type: 'FLOAT' }, { name: 'count', type: 'INTEGER' }, { name: 'region', type: 'STRING' },
  { name: 'active', type: 'BOOLEAN' }, { name: 'recorded_on', type: 'DATE' }, { name: 'score', type: 'FLOAT' },
  { name: 'label', type: 'STRING' }, { name: 'age', type: 'INTEGER' }, { name: 'verified', type: 'BOOLEAN' },
  { name: 'price', type: 'FLOAT' }, { name: 'district', type: 'STRING' }, { name: 'duration_min', type: 'INTEGER' },
  { name: 'opened_on', type: 'DATE' }, { name: 'rate', type: 'FLOAT' },
];
const WORDS = ['north', 'south', 'east', 'west', 'central', 'alpha', 'beta', 'gamma', 'delta', 'omega'];
const DAY = 86_400_000;
const EPOCH = Date.UTC(2026, 0, 1);
const CHUNK = 4_000;

export async function seedDatasets(db: Kysely<Tables>, count: number, random: Random): Promise<void> {
  const datasets = [];
  const rows: { dataset_id: number; row_index: number; data: string }[] = [];
  for (let i = 1; i <= count; i += 1) {
    const category = CATEGORIES[(i - 1) % CATEGORIES.length];
    const columns = pickColumns(random);
    const rowCount = random.int(50, 200);
    const createdAt = EPOCH - random.int(30, 2_000) * DAY;
    const updatedAt = createdAt + random.int(0, Math.floor((EPOCH - createdAt) / DAY)) * DAY + random.int(0, DAY - 1);
    datasets.push({
      name: `${random.pick(PLACES)} ${random.pick(SUBJECTS)} ${2015 + (i % 11)} #${i}`,
      description: `${category} records: ${columns.map((c) => c.name).join(', ')}.`,
      category,
      tags: [category.toLowerCase(), random.pick(WORDS), random.pick(WORDS)].filter((t, k, a) => a.indexOf(t) === k),
      columns: JSON.stringify(columns),
      row_count: rowCount,
      created_at: new Date(createdAt),
      updated_at: new Date(updatedAt),
    });
    const made: Record<string, unknown>[] = [];
    for (let r = 0; r < rowCount; r += 1) {
      const row = made.length > 0 && random.chance(0.02) ? made[random.int(0, made.length - 1)] : makeRow(columns, r, random);
      made.push(row);
      rows.push({ dataset_id: i, row_index: r, data: JSON.stringify(row) });
    }
  }
  // Ids are assigned in insertion order on an empty table, so dataset i has id i.
  for (let k = 0; k < datasets.length; k += 500) {
    await db.insertInto('datasets').values(datasets.slice(k, k + 500)).execute();
  }
  for (let k = 0; k < rows.length; k += CHUNK) {
    await db.insertInto('dataset_rows').values(rows.slice(k, k + CHUNK)).execute();
  }
}

function pickColumns(random: Random): ColumnSpec[] {
  const pool = [...COLUMN_POOL];
  const chosen: ColumnSpec[] = [{ name: 'id', type: 'INTEGER' }];
  const extra = random.int(3, 8);
  for (let k = 0; k < extra; k += 1) chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0]);
  return chosen;
}

function makeRow(columns: ColumnSpec[], index: number, random: Random): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of columns) {
    if (column.name === 'id') row.id = index + 1;
    else if (random.chance(0.03)) row[column.name] = null;
    else if (random.chance(0.01)) row[column.name] = 'n/a';
    else row[column.name] = valueOf(column.type, random);
  }
  return row;
}

function valueOf(type: ColumnSpec['type'], random: Random): unknown {
  switch (type) {
    case 'INTEGER':
      return random.int(0, 1_000);
    case 'FLOAT':
      return Math.round(random.float(0, 10_000) * 100) / 100;
    case 'BOOLEAN':
      return random.chance(0.5);
    case 'DATE':
      return new Date(EPOCH - random.int(0, 3_000) * DAY).toISOString().slice(0, 10);
    case 'STRING':
      return `${random.pick(WORDS)}-${random.int(1, 40)}`;
  }
}
