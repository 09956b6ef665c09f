// One column of a coefficient matrix as stored in io_coefficient_columns: the rows of its non-zeros as int4 and the
// values as float8, each packed big-endian (network order, what PostgreSQL's int4send/float8send write, so SQL can
// produce and read the same bytes). Either driver hands bytea back as a Uint8Array (pg: a Buffer).

export function encodeRows(rows: Int32Array): Uint8Array {
  const bytes = new Uint8Array(rows.length * 4);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < rows.length; k += 1) view.setInt32(k * 4, rows[k], false);
  return bytes;
}

export function encodeValues(values: Float64Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < values.length; k += 1) view.setFloat64(k * 8, values[k], false);
  return bytes;
}

/** Entries in a column (rows and values must agree); throws on a corrupt pair, naming the column. */
export function entryCount(col: number, rowBytes: Uint8Array, valueBytes: Uint8Array): number {
  if (rowBytes.length % 4 !== 0 || valueBytes.length !== 2 * rowBytes.length) {
    throw new RangeError(`stored column ${col} is corrupt: ${rowBytes.length} bytes of rows, ${valueBytes.length} of values`);
  }
  return rowBytes.length / 4;
}

/** Decodes a stored column into rows[at ..] and values[at ..]. */
export function decodeInto(rowBytes: Uint8Array, valueBytes: Uint8Array, rows: Int32Array, values: Float64Array, at: number): void {
  const rowView = new DataView(rowBytes.buffer, rowBytes.byteOffset, rowBytes.byteLength);
  const valueView = new DataView(valueBytes.buffer, valueBytes.byteOffset, valueBytes.byteLength);
  const count = rowBytes.length / 4;
  for (let k = 0; k < count; k += 1) {
    rows[at + k] = rowView.getInt32(k * 4, false);
    values[at + k] = valueView.getFloat64(k * 8, false);
  }
}
