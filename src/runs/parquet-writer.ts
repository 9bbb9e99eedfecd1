/**
 * A minimal Parquet writer for the bundle's long-format series (DESIGN.md §4.2): required
 * DOUBLE and UTF-8 string columns only, PLAIN encoding, no compression, no statistics.
 *
 * Why not DuckDB: loading its native module costs ~200–270 ms, which alone broke the
 * `measure -- true` overhead budget (docs/benchmarks.md); the files are simple enough to
 * write by hand. Reading and queries still go through DuckDB.
 *
 * Layout (Parquet format 2.x, readable by 1.0 readers): `PAR1`, then per row group one column
 * chunk per column, each a run of v1 data pages; then the FileMetaData footer in Thrift's
 * compact protocol, its length (u32 LE) and `PAR1`. Columns are REQUIRED, so pages carry no
 * repetition or definition levels: a page's body is just the PLAIN values.
 *
 * Pure: builds the file in memory and returns its bytes.
 */

/** One column of a file: doubles, or UTF-8 strings given as already-encoded bytes per row. */
export type ParquetColumn =
  | { readonly name: string; readonly kind: 'double'; readonly values: Float64Array }
  | { readonly name: string; readonly kind: 'utf8'; readonly values: StringColumnValues };

/**
 * A string column without one JS string per row: row `r` holds `distinct[index(r)]`. Long
 * format repeats a handful of channel names over millions of rows.
 */
export interface StringColumnValues {
  readonly length: number;
  readonly distinct: readonly string[];
  readonly index: (row: number) => number;
}

export interface ParquetWriteOptions {
  /** Most rows per row group (default 1 048 576; DuckDB reads row groups in parallel). */
  readonly rowGroupRows?: number;
  /** Most rows per data page (default 65 536, which keeps pages ≤ ~1 MiB for these columns). */
  readonly pageRows?: number;
}

const DEFAULT_ROW_GROUP_ROWS = 1 << 20;
const DEFAULT_PAGE_ROWS = 1 << 16;
const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"
const CREATED_BY = 'inferprint';

// parquet.thrift enum values used here.
const TYPE_DOUBLE = 5;
const TYPE_BYTE_ARRAY = 6;
const REPETITION_REQUIRED = 0;
const CONVERTED_UTF8 = 0;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const CODEC_UNCOMPRESSED = 0;
const PAGE_DATA = 0;

/**
 * Encode a Parquet file holding `columns` (all of equal length; zero rows gives a valid file
 * with a schema and no row group). Throws RangeError on unequal lengths or bad options: callers
 * validate their input first, so that is a programming error.
 */
export function encodeParquet(columns: readonly ParquetColumn[], opts: ParquetWriteOptions = {}): Uint8Array {
  const rowGroupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  const pageRows = Math.min(opts.pageRows ?? DEFAULT_PAGE_ROWS, rowGroupRows);
  if (!(Number.isInteger(rowGroupRows) && rowGroupRows > 0 && Number.isInteger(pageRows) && pageRows > 0)) {
    throw new RangeError(`row group and page sizes must be positive integers, got ${rowGroupRows} and ${pageRows}`);
  }
  if (columns.length === 0) throw new RangeError('a Parquet file needs at least one column');
  const numRows = columnLength(columns[0]!);
  for (const c of columns) {
    if (columnLength(c) !== numRows) throw new RangeError(`column ${c.name} has ${columnLength(c)} rows, expected ${numRows}`);
  }
  const encoder = new TextEncoder();
  const distinctBytes = columns.map((c) => (c.kind === 'utf8' ? c.values.distinct.map((s) => encoder.encode(s)) : []));

  const out = new ByteSink();
  out.bytes(MAGIC);
  const rowGroups: RowGroupMeta[] = [];
  for (let first = 0; first < numRows; first += rowGroupRows) {
    const rows = Math.min(rowGroupRows, numRows - first);
    const chunks: ChunkMeta[] = columns.map((c, ci) => {
      const start = out.length;
      for (let p = first; p < first + rows; p += pageRows) {
        const pageEnd = Math.min(p + pageRows, first + rows);
        const body = c.kind === 'double' ? plainDoubles(c.values, p, pageEnd) : plainStrings(c.values, distinctBytes[ci]!, p, pageEnd);
        out.bytes(dataPageHeader(pageEnd - p, body.length));
        out.bytes(body);
      }
      return { column: c, offset: start, size: out.length - start, rows };
    });
    rowGroups.push({ chunks, rows });
  }
  const footer = fileMetaData(columns, numRows, rowGroups);
  out.bytes(footer);
  out.u32le(footer.length);
  out.bytes(MAGIC);
  return out.finish();
}

function columnLength(c: ParquetColumn): number {
  return c.values.length;
}

// ---------------------------------------------------------------------------------------
// Pages

function plainDoubles(values: Float64Array, from: number, to: number): Uint8Array {
  const body = new Uint8Array((to - from) * 8);
  const view = new DataView(body.buffer);
  for (let i = from, o = 0; i < to; i++, o += 8) view.setFloat64(o, values[i]!, true);
  return body;
}

function plainStrings(values: StringColumnValues, distinct: readonly Uint8Array[], from: number, to: number): Uint8Array {
  let size = 0;
  for (let i = from; i < to; i++) size += 4 + distinctAt(distinct, values.index(i)).length;
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  let o = 0;
  for (let i = from; i < to; i++) {
    const b = distinctAt(distinct, values.index(i));
    view.setUint32(o, b.length, true);
    body.set(b, o + 4);
    o += 4 + b.length;
  }
  return body;
}

function distinctAt(distinct: readonly Uint8Array[], k: number): Uint8Array {
  const b = distinct[k];
  if (b === undefined) throw new RangeError(`string index ${k} outside 0..${distinct.length - 1}`);
  return b;
}

/** PageHeader{type DATA_PAGE, sizes, DataPageHeader{num_values, PLAIN, RLE, RLE}} (uncompressed: both sizes equal). */
function dataPageHeader(numValues: number, bodyBytes: number): Uint8Array {
  const w = new CompactWriter();
  w.i32Field(1, PAGE_DATA);
  w.i32Field(2, bodyBytes);
  w.i32Field(3, bodyBytes);
  w.structBegin(5);
  w.i32Field(1, numValues);
  w.i32Field(2, ENCODING_PLAIN);
  // Levels are absent for required columns; readers still expect the encodings named.
  w.i32Field(3, ENCODING_RLE);
  w.i32Field(4, ENCODING_RLE);
  w.structEnd();
  w.stop();
  return w.finish();
}

// ---------------------------------------------------------------------------------------
// Footer

interface ChunkMeta {
  readonly column: ParquetColumn;
  /** File offset of the chunk's first page header. */
  readonly offset: number;
  /** Bytes of headers and pages together. */
  readonly size: number;
  readonly rows: number;
}

interface RowGroupMeta {
  readonly chunks: readonly ChunkMeta[];
  readonly rows: number;
}

function physicalType(c: ParquetColumn): number {
  return c.kind === 'double' ? TYPE_DOUBLE : TYPE_BYTE_ARRAY;
}

function fileMetaData(columns: readonly ParquetColumn[], numRows: number, rowGroups: readonly RowGroupMeta[]): Uint8Array {
  const w = new CompactWriter();
  w.i32Field(1, 1); // format version 1: v1 data pages only
  w.listBegin(2, CT_STRUCT, columns.length + 1);
  // The root group: a name and its number of children, nothing else.
  w.elemStructBegin();
  w.stringField(4, 'schema');
  w.i32Field(5, columns.length);
  w.structEnd();
  for (const c of columns) {
    w.elemStructBegin();
    w.i32Field(1, physicalType(c));
    w.i32Field(3, REPETITION_REQUIRED);
    w.stringField(4, c.name);
    if (c.kind === 'utf8') {
      w.i32Field(6, CONVERTED_UTF8);
      w.structBegin(10); // logicalType: LogicalType union
      w.structBegin(1); // STRING: StringType, an empty struct
      w.structEnd();
      w.structEnd();
    }
    w.structEnd();
  }
  w.i64Field(3, numRows);
  w.listBegin(4, CT_STRUCT, rowGroups.length);
  rowGroups.forEach((g, ordinal) => {
    const bytes = g.chunks.reduce((s, ch) => s + ch.size, 0);
    w.elemStructBegin();
    w.listBegin(1, CT_STRUCT, g.chunks.length);
    for (const ch of g.chunks) {
      w.elemStructBegin();
      w.i64Field(2, ch.offset); // file_offset (deprecated): the chunk's start, as most writers put it
      w.structBegin(3); // meta_data
      w.i32Field(1, physicalType(ch.column));
      w.listBegin(2, CT_I32, 2);
      w.elemI32(ENCODING_PLAIN);
      w.elemI32(ENCODING_RLE);
      w.listBegin(3, CT_BINARY, 1);
      w.elemString(ch.column.name);
      w.i32Field(4, CODEC_UNCOMPRESSED);
      w.i64Field(5, ch.rows);
      w.i64Field(6, ch.size);
      w.i64Field(7, ch.size);
      w.i64Field(9, ch.offset);
      w.structEnd();
      w.structEnd();
    }
    w.i64Field(2, bytes);
    w.i64Field(3, g.rows);
    w.i64Field(5, g.chunks[0]!.offset);
    w.i64Field(6, bytes);
    w.i16Field(7, ordinal);
    w.structEnd();
  });
  w.stringField(6, CREATED_BY);
  w.stop();
  return w.finish();
}

// ---------------------------------------------------------------------------------------
// Thrift compact protocol (the subset the footer and page headers need)

const CT_I16 = 4;
const CT_I32 = 5;
const CT_I64 = 6;
const CT_BINARY = 8;
const CT_LIST = 9;
const CT_STRUCT = 12;

/** Growable byte buffer. */
class ByteSink {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u32le(n: number): void {
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.length, n, true);
    this.length += 4;
  }

  /** Unsigned LEB128 of a non-negative safe integer (arithmetic, not bit operations: values may exceed 2^32). */
  varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Zigzag of a safe integer: 0, -1, 1, -2 ... → 0, 1, 2, 3 ... */
function zigzag(n: number): number {
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 52) throw new RangeError(`integer ${n} out of range for this encoder`);
  return n >= 0 ? 2 * n : -2 * n - 1;
}

/**
 * Compact-protocol writer. Field headers carry the id as a delta from the previous field of
 * the same struct, so each open struct keeps its last field id on a stack.
 */
class CompactWriter {
  private readonly out = new ByteSink();
  private lastField: number[] = [0];

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.lastField[this.lastField.length - 1]!;
    if (delta > 0 && delta <= 15) {
      this.out.byte((delta << 4) | type);
    } else {
      this.out.byte(type);
      this.out.varint(zigzag(id));
    }
    this.lastField[this.lastField.length - 1] = id;
  }

  i16Field(id: number, v: number): void {
    this.fieldHeader(id, CT_I16);
    this.out.varint(zigzag(v));
  }

  i32Field(id: number, v: number): void {
    this.fieldHeader(id, CT_I32);
    this.out.varint(zigzag(v));
  }

  i64Field(id: number, v: number): void {
    this.fieldHeader(id, CT_I64);
    this.out.varint(zigzag(v));
  }

  stringField(id: number, s: string): void {
    this.fieldHeader(id, CT_BINARY);
    this.elemString(s);
  }

  /** A struct-typed field; close with `structEnd`. */
  structBegin(id: number): void {
    this.fieldHeader(id, CT_STRUCT);
    this.lastField.push(0);
  }

  /** A struct as a list element (no field header); close with `structEnd`. */
  elemStructBegin(): void {
    this.lastField.push(0);
  }

  structEnd(): void {
    this.out.byte(0); // stop
    this.lastField.pop();
  }

  /** A list field's header; its `size` elements follow (elem* or elemStructBegin). */
  listBegin(id: number, elemType: number, size: number): void {
    this.fieldHeader(id, CT_LIST);
    if (size < 15) {
      this.out.byte((size << 4) | elemType);
    } else {
      this.out.byte(0xf0 | elemType);
      this.out.varint(size);
    }
  }

  elemI32(v: number): void {
    this.out.varint(zigzag(v));
  }

  elemString(s: string): void {
    const b = new TextEncoder().encode(s);
    this.out.varint(b.length);
    this.out.bytes(b);
  }

  /** End of the top-level struct. */
  stop(): void {
    this.out.byte(0);
  }

  finish(): Uint8Array {
    return this.out.finish();
  }
}
