//! One stretch of a source file, record by record: each record becomes the values of the used
//! columns, handed to a [`Sink`]; what is wrong with a record is counted, with its line.
//!
//! A stretch is a whole file (read sequentially) or a byte range of one (read by a thread). Its
//! line numbers count from the stretch's start; the caller shifts them once it knows how many
//! lines came before.

use super::computed::as_value;
use super::located::{unclosed_quote, StretchError};
use super::lookup::Cell;
use super::parse::{parse_field, FieldFormat};
use super::quality::{ColumnValues, Issue, Unmatched};
use super::records::{Record, RecordReader};
use super::schema::Schema;
use super::sink::{refused, Sink};
use crate::formula::Val;
use crate::value::{recycle, DataType, Value};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::io::Read;

/// Rows between two looks at Ctrl-C (and at the progress bar).
pub(super) const ROWS_PER_TICK: u64 = 65_536;

/// Where each used column's value comes from.
enum Slot {
    Field(usize, DataType),
    /// `counts`: the first slot of its table, which counts the row's match (once per row).
    Lookup {
        table: usize,
        cell: usize,
        counts: bool,
    },
    /// `column`: its index in the schema's computed columns; `inputs`: the slots of the
    /// columns it reads.
    Computed {
        column: usize,
        inputs: Vec<usize>,
    },
}

/// Turns records into the values of the used columns, in slot order.
pub(super) struct RowDecoder<'s> {
    schema: &'s Schema,
    slots: Vec<Slot>,
    width: usize,
    /// The computed slots, each after those it reads.
    computed: Vec<usize>,
}

/// What a stretch read: its counts, and where it stopped.
#[derive(Debug, Default)]
pub(super) struct Stretch {
    /// Data rows (ragged ones included, blank lines not).
    pub rows_read: u64,
    /// Rows skipped because a later row has the same key.
    pub duplicates: u64,
    pub ragged: Issue,
    /// Per used column: values present, and those that did not parse as its type.
    pub values: Vec<ColumnValues>,
    /// Per lookup table: rows whose key found no match.
    pub unmatched: Vec<Unmatched>,
    /// Line feeds read: the line numbers the stretch took.
    pub lines: u64,
    /// Offset (from the reader's start) of the first record not read.
    pub end: u64,
}

/// Keep-last deduplication: the ordinal of the last row of each key (from [`KeyPositions`]),
/// and the running ordinal (of the row before the stretch's first).
pub(super) struct Dedup<'m> {
    pub key: usize,
    pub last: &'m FxHashMap<String, u64>,
    pub ordinal: u64,
}

/// The first pass of keep-last deduplication: each key's last row (its ordinal, from 1, among
/// the rows of the full width), and how many rows there were. Pieces read in parallel merge in
/// file order: a later piece's keys win, its ordinals after the rows before it.
#[derive(Default)]
pub(super) struct KeyPositions {
    /// Fx, not SipHash: keys come from the user's own export, and hashing a million of them
    /// twice was a third of a keyed pass.
    pub last: FxHashMap<String, u64>,
    pub rows: u64,
    /// Rows before each piece merged, in order.
    pub before: Vec<u64>,
}

impl Sink for KeyPositions {
    fn add_row(&mut self, _row: &[Value<'_>]) -> bool {
        true
    }

    fn absorb(&mut self, other: Self) {
        self.before.push(self.rows);
        if self.last.is_empty() {
            self.last = other.last;
        } else {
            let rows = self.rows;
            self.last
                .extend(other.last.into_iter().map(|(k, o)| (k, rows + o)));
        }
        self.rows += other.rows;
    }
}

impl<'s> RowDecoder<'s> {
    /// `used` must hold every column its computed columns read ([`Schema::with_inputs`]).
    pub fn new(schema: &'s Schema, used: &[usize]) -> RowDecoder<'s> {
        let slots = slots(schema, used);
        let mut computed: Vec<usize> = (0..slots.len())
            .filter(|&s| matches!(slots[s], Slot::Computed { .. }))
            .collect();
        // Computed columns are compiled in dependency order, and numbered so.
        computed.sort_by_key(|&s| used[s]);
        RowDecoder {
            schema,
            slots,
            width: schema.header.len(),
            computed,
        }
    }

    /// Reads records while they start before `limit` (an offset from the reader's start),
    /// feeding `sink`. `tick` runs every [`ROWS_PER_TICK`] rows with the offset reached.
    pub fn read_stretch<R: Read, S: Sink>(
        &self,
        reader: &mut RecordReader<R>,
        limit: u64,
        sink: &mut S,
        mut dedup: Option<&mut Dedup>,
        tick: &mut dyn FnMut(u64, u64) -> anyhow::Result<()>,
    ) -> Result<Stretch, StretchError> {
        let mut stretch = self.stretch();
        let mut state = self.row_state();
        let gate = self.gate(sink);
        while reader.position() < limit {
            if stretch.rows_read.is_multiple_of(ROWS_PER_TICK) {
                tick(reader.position(), stretch.rows_read).map_err(StretchError::Other)?;
                refused(sink).map_err(StretchError::Other)?;
                if sink.is_full() {
                    break;
                }
            }
            let Some(record) = reader.next_record()? else {
                break;
            };
            let line = stretch.lines + 1 + record.blank_lines_before();
            stretch.lines += record.line_breaks();
            unclosed_quote(&record, line, &self.schema.header)?;
            if record.len() != self.width {
                if record.len() == 1 && record.field(0).trim_ascii().is_empty() {
                    continue; // a line of spaces is not a row
                }
                let breaks = swallowed_lines(&record);
                if breaks > 0 {
                    return Err(StretchError::At {
                        line,
                        message: swallowed_message(breaks, record.len(), self.width),
                    });
                }
                stretch.rows_read += 1;
                stretch.ragged.record_local(line);
                continue;
            }
            stretch.rows_read += 1;
            if let Some(dedup) = dedup.as_deref_mut() {
                if !dedup.keeps(&record, line)? {
                    stretch.duplicates += 1;
                    continue;
                }
            }
            self.feed(&record, line, sink, gate, &mut state, &mut stretch)?;
        }
        stretch.end = reader.position();
        Ok(stretch)
    }

    /// A stretch with nothing counted yet.
    pub(super) fn stretch(&self) -> Stretch {
        Stretch {
            values: self.slots.iter().map(|_| ColumnValues::default()).collect(),
            unmatched: self
                .schema
                .lookups
                .iter()
                .map(|_| Unmatched::default())
                .collect(),
            ..Stretch::default()
        }
    }

    /// The buffers a stretch reuses row after row.
    pub(super) fn row_state(&self) -> RowState {
        RowState {
            values: Vec::with_capacity(self.slots.len()),
            full: Vec::with_capacity(self.slots.len()),
            computed: Vec::with_capacity(self.computed.len()),
            matches: vec![None; self.schema.lookups.len()],
        }
    }

    /// The sink's gate, fixed for the pass (asked once, not per row). A computed gate needs
    /// the whole row: there is none then.
    pub(super) fn gate<S: Sink>(&self, sink: &S) -> Option<usize> {
        sink.gate().filter(|&g| !self.computed.contains(&g))
    }

    /// One row (a record, or a table's row): its used values into `sink`, counted in `stretch`.
    pub(super) fn feed<F: Fields + ?Sized, S: Sink>(
        &self,
        fields: &F,
        line: u64,
        sink: &mut S,
        gate: Option<usize>,
        state: &mut RowState,
        stretch: &mut Stretch,
    ) -> Result<(), StretchError> {
        let RowState {
            values: buffer,
            full: full_buffer,
            computed,
            matches,
        } = state;
        matches.iter_mut().for_each(|m| *m = None);
        let mut tally = Tally {
            values: &mut stretch.values,
            matches,
        };
        let gated = match gate {
            Some(slot) => {
                let time = self.decode_slot(slot, fields, &mut tally, line)?;
                if !sink.wants(&time) {
                    sink.add_unwanted(&time);
                    return Ok(());
                }
                Some((slot, time))
            }
            None => None,
        };
        let mut values = recycle(std::mem::take(buffer));
        self.decode(fields, &mut values, &mut tally, line, gated)?;
        let taken = if self.computed.is_empty() {
            sink.add_row(&values)
        } else {
            self.compute(&values, computed, tally.values);
            let mut full = recycle(std::mem::take(full_buffer));
            full.extend_from_slice(&values);
            for (&slot, value) in self.computed.iter().zip(computed.iter()) {
                full[slot] = as_value(value);
            }
            let taken = sink.add_row(&full);
            *full_buffer = recycle(full);
            taken
        };
        *buffer = recycle(values);
        // Rows the source's filter removed feed no KPI: their keys do not matter.
        if taken {
            self.count_matches(fields, line, matches, &mut stretch.unmatched)?;
        }
        Ok(())
    }

    /// Every used column's value, in slot order; `gated` is the gate's, already decoded (each
    /// value is decoded, and counted, once).
    fn decode<'r, F: Fields + ?Sized>(
        &'r self,
        record: &'r F,
        values: &mut Vec<Value<'r>>,
        tally: &mut Tally,
        line: u64,
        mut gated: Option<(usize, Value<'r>)>,
    ) -> Result<(), StretchError> {
        for slot in 0..self.slots.len() {
            let value = match gated.take_if(|(gate, _)| *gate == slot) {
                Some((_, value)) => value,
                None => self.decode_slot(slot, record, tally, line)?,
            };
            values.push(value);
        }
        Ok(())
    }

    /// The computed slots' values of a decoded row, in `self.computed`'s order (each after
    /// those it reads).
    fn compute(
        &self,
        values: &[Value<'_>],
        out: &mut Vec<Val<'static>>,
        tally: &mut [ColumnValues],
    ) {
        out.clear();
        let mut buffer: Vec<Value<'static>> = Vec::new();
        for &slot in &self.computed {
            let Slot::Computed {
                column,
                inputs: from,
            } = &self.slots[slot]
            else {
                continue;
            };
            let mut inputs: Vec<Value<'_>> = recycle(std::mem::take(&mut buffer));
            for &input in from {
                let value = match self.computed.iter().position(|&c| c == input) {
                    Some(k) => out.get(k).map_or(Value::Null, as_value),
                    None => values[input],
                };
                inputs.push(value);
            }
            let value = self.schema.computed[*column]
                .node
                .eval(&inputs)
                .into_owned();
            tally[slot].present += !value.is_null() as u64;
            buffer = recycle(inputs);
            out.push(value);
        }
    }

    /// Counts a taken row's lookups: matched, or unmatched with the key it carried.
    fn count_matches<F: Fields + ?Sized>(
        &self,
        fields: &F,
        line: u64,
        matches: &[Option<bool>],
        out: &mut [Unmatched],
    ) -> Result<(), StretchError> {
        for ((found, lookup), unmatched) in matches.iter().zip(&self.schema.lookups).zip(out) {
            match found {
                Some(true) => unmatched.record(true, ""),
                Some(false) => {
                    let key = fields.text(lookup.on, line, &self.schema.header[lookup.on])?;
                    unmatched.record(false, &key);
                }
                None => {}
            }
        }
        Ok(())
    }

    /// The value of one used column (`slot`) in a record; an invalid one is counted, and null.
    fn decode_slot<'r, F: Fields + ?Sized>(
        &'r self,
        slot: usize,
        record: &'r F,
        tally: &mut Tally,
        line: u64,
    ) -> Result<Value<'r>, StretchError> {
        Ok(match self.slots[slot] {
            Slot::Field(index, ty) => {
                let header = &self.schema.header[index];
                let field = Field {
                    index,
                    ty,
                    line,
                    header,
                };
                record.value(field, &self.schema.format, &mut tally.values[slot])?
            }
            Slot::Lookup {
                table,
                cell,
                counts,
            } => match self.schema.lookups.get(table) {
                Some(lookup) => {
                    let key = record.text(lookup.on, line, &self.schema.header[lookup.on])?;
                    let found = lookup.get(&key);
                    if counts {
                        tally.matches[table] = Some(found.is_some());
                    }
                    found
                        .and_then(|cells| cells.get(cell))
                        .map_or(Value::Null, Cell::as_value)
                }
                None => Value::Null,
            },
            // Filled in once the row's other values are decoded (`compute`).
            Slot::Computed { .. } => Value::Null,
        })
    }
}

/// The buffers a stretch reuses row after row (emptied between rows), and which lookups
/// found the row's key.
pub(super) struct RowState {
    values: Vec<Value<'static>>,
    full: Vec<Value<'static>>,
    computed: Vec<Val<'static>>,
    matches: Vec<Option<bool>>,
}

/// A field to decode: its index in the header, its type, and where it is (for messages).
pub(super) struct Field<'h> {
    pub index: usize,
    pub ty: DataType,
    pub line: u64,
    pub header: &'h str,
}

/// A row's fields, by index in the header: a record's text, or a table's typed cells.
pub(super) trait Fields {
    /// A field as a value of its type, counted in `values`; an invalid one is null.
    fn value<'r>(
        &'r self,
        field: Field,
        format: &FieldFormat,
        values: &mut ColumnValues,
    ) -> Result<Value<'r>, StretchError>;
    /// A field's text, to look a key up.
    fn text<'r>(
        &'r self,
        index: usize,
        line: u64,
        header: &str,
    ) -> Result<Cow<'r, str>, StretchError>;
}

impl Fields for Record<'_> {
    fn value<'r>(
        &'r self,
        field: Field,
        format: &FieldFormat,
        values: &mut ColumnValues,
    ) -> Result<Value<'r>, StretchError> {
        let text = utf8(self.field(field.index), field.line, field.header)?;
        Ok(match parse_field(text, field.ty, format) {
            Ok(Value::Null) => Value::Null,
            Ok(value) => {
                values.present += 1;
                value
            }
            Err(()) => {
                values.record_invalid(text, field.line);
                Value::Null
            }
        })
    }

    fn text<'r>(
        &'r self,
        index: usize,
        line: u64,
        header: &str,
    ) -> Result<Cow<'r, str>, StretchError> {
        let bytes = self.get(index).unwrap_or_default();
        Ok(Cow::Borrowed(utf8(bytes, line, header)?))
    }
}

impl Fields for [Cell] {
    fn value<'r>(
        &'r self,
        field: Field,
        _: &FieldFormat,
        values: &mut ColumnValues,
    ) -> Result<Value<'r>, StretchError> {
        let value = self.get(field.index).map_or(Value::Null, Cell::as_value);
        values.present += !value.is_null() as u64;
        Ok(value)
    }

    fn text<'r>(&'r self, index: usize, _: u64, _: &str) -> Result<Cow<'r, str>, StretchError> {
        Ok(self.get(index).map_or(Cow::Borrowed(""), Cell::text))
    }
}

/// Where a row's counts go: the stretch's values, and whether each lookup found the row's key
/// (None: not looked up), counted once the row is taken.
struct Tally<'t> {
    values: &'t mut [ColumnValues],
    matches: &'t mut [Option<bool>],
}

impl Dedup<'_> {
    /// Whether this row is the last of its key (rows with an empty key are all kept).
    fn keeps(&mut self, record: &Record<'_>, line: u64) -> Result<bool, StretchError> {
        self.ordinal += 1;
        let key = utf8(record.field(self.key), line, "key")?.trim();
        Ok(key.is_empty() || self.last.get(key) == Some(&self.ordinal))
    }
}

/// First pass for keep-last deduplication over the records that start before `limit`: the
/// ordinal of the last row of each key. Counts lines as [`RowDecoder::read_stretch`] does.
pub(super) fn last_row_per_key<R: Read>(
    reader: &mut RecordReader<R>,
    header: &[String],
    key: usize,
    positions: &mut KeyPositions,
    limit: u64,
) -> Result<Stretch, StretchError> {
    let mut stretch = Stretch::default();
    while reader.position() < limit {
        let Some(record) = reader.next_record()? else {
            break;
        };
        let line = stretch.lines + 1 + record.blank_lines_before();
        stretch.lines += record.line_breaks();
        unclosed_quote(&record, line, header)?;
        if record.len() != header.len() {
            continue;
        }
        positions.rows += 1;
        if positions.rows.is_multiple_of(ROWS_PER_TICK) {
            crate::interrupt::check().map_err(|e| StretchError::Other(e.into()))?;
        }
        let k = utf8(record.field(key), line, "key")?.trim();
        if !k.is_empty() {
            match positions.last.get_mut(k) {
                Some(o) => *o = positions.rows,
                None => {
                    positions.last.insert(k.to_string(), positions.rows);
                }
            }
        }
    }
    stretch.end = reader.position();
    Ok(stretch)
}

fn utf8<'r>(bytes: &'r [u8], line: u64, column: &str) -> Result<&'r str, StretchError> {
    std::str::from_utf8(bytes).map_err(|_| StretchError::At {
        line,
        message: format!(
            "column `{column}`: the file is not valid UTF-8\n  hint: if it comes from Excel on Windows, set encoding = \"windows-1252\" on the source"
        ),
    })
}

/// Line breaks inside the fields of a ragged record: the mark of an unbalanced quote, which
/// swallows the following lines into one field (a real quoted line break keeps the row whole).
fn swallowed_lines(record: &Record<'_>) -> usize {
    (0..record.len())
        .map(|i| memchr::memchr_iter(b'\n', record.field(i)).count())
        .sum()
}

/// The message of a stray quote (the caller puts the file and line before it).
fn swallowed_message(breaks: usize, fields: usize, width: usize) -> String {
    format!(
        "malformed CSV: a quote opened on this line is not closed where the row ends; \
         the row runs over {breaks} more line(s) and has {fields} fields instead of {width}\n  \
         hint: look for a stray \" in that row"
    )
}

fn slots(schema: &Schema, used: &[usize]) -> Vec<Slot> {
    let width = schema.header.len();
    let computed_start = schema.computed_start();
    let mut counted = vec![false; schema.lookups.len()];
    let slot_of = |c: &usize| used.iter().position(|u| u == c).unwrap_or(usize::MAX);
    used.iter()
        .map(|&c| {
            if c < width {
                return Slot::Field(c, schema.columns[c].1);
            }
            if c >= computed_start {
                let column = c - computed_start;
                let inputs = schema.computed[column].inputs.iter().map(slot_of).collect();
                return Slot::Computed { column, inputs };
            }
            let mut offset = c - width;
            for (table, lookup) in schema.lookups.iter().enumerate() {
                if offset < lookup.columns.len() {
                    let counts = !std::mem::replace(&mut counted[table], true);
                    return Slot::Lookup {
                        table,
                        cell: offset,
                        counts,
                    };
                }
                offset -= lookup.columns.len();
            }
            Slot::Lookup {
                table: usize::MAX,
                cell: 0,
                counts: false,
            }
        })
        .collect()
}
