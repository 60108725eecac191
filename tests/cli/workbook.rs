//! Test workbooks: a CSV export turned into the `.xlsx` a CRM would have sent instead, its
//! cells typed as a spreadsheet types them (numbers, dates, datetimes, booleans), so that a
//! run over the workbook can be compared with a run over the CSV.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// One sheet: its name and the CSV text (with its delimiter) of its rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub csv: &'a str,
    pub delimiter: u8,
}

/// An `.xlsx` file holding the sheets, in order, from `first_row` (0-based: rows above are
/// left blank, as a report title's row would be, but empty).
pub fn xlsx(sheets: &[Sheet<'_>], first_row: u32) -> Vec<u8> {
    let mut workbook = Workbook::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet.name).expect("sheet name");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sheet.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(sheet.csv.as_bytes());
        for (r, record) in reader.records().enumerate() {
            let record = record.expect("csv record");
            for (c, text) in record.iter().enumerate() {
                write_typed(worksheet, first_row + r as u32, c as u16, text, r == 0);
            }
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

/// A cell as a spreadsheet types it: a number, a date, a datetime, a boolean, else text; an
/// empty text is no cell at all.
fn write_typed(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    text: &str,
    header: bool,
) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let result = if text.is_empty() {
        return;
    } else if header {
        sheet.write_string(row, col, text).map(|_| ())
    } else if let Some(number) = plain_number(text) {
        sheet.write_number(row, col, number).map(|_| ())
    } else if text == "true" || text == "false" {
        sheet.write_boolean(row, col, text == "true").map(|_| ())
    } else if let Some((stamp, has_time)) = date_time(text) {
        let format = if has_time { &datetime } else { &date };
        sheet
            .write_datetime_with_format(row, col, &stamp, format)
            .map(|_| ())
    } else {
        sheet.write_string(row, col, text).map(|_| ())
    };
    result.expect("write cell");
}

/// A number as a spreadsheet stores one: digits, an optional sign and decimal point, no
/// leading zero (an identifier such as `007` stays text, as Excel's import keeps it).
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."));
    ok.then(|| text.parse().ok()).flatten()
}

/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `DD/MM/YYYY HH:MM` as a date cell, and whether it has
/// a time of day.
fn date_time(text: &str) -> Option<(ExcelDateTime, bool)> {
    let n = |s: &str| s.parse::<u16>().ok();
    let b = text.as_bytes();
    let (ymd, time) = match b.len() {
        10 | 19 if b[4] == b'-' && b[7] == b'-' => (
            (n(&text[0..4])?, n(&text[5..7])?, n(&text[8..10])?),
            text.get(11..),
        ),
        16 if b[2] == b'/' && b[5] == b'/' => (
            (n(&text[6..10])?, n(&text[3..5])?, n(&text[0..2])?),
            text.get(11..),
        ),
        _ => return None,
    };
    let day = ExcelDateTime::from_ymd(ymd.0, ymd.1 as u8, ymd.2 as u8).ok()?;
    let Some(time) = time else {
        return Some((day, false));
    };
    let hms: Vec<u16> = time.split(':').map(n).collect::<Option<_>>()?;
    let seconds = hms.get(2).copied().unwrap_or(0);
    let (hour, minute) = (*hms.first()?, *hms.get(1)? as u8);
    let stamp = day.and_hms(hour, minute, seconds).ok()?;
    Some((stamp, true))
}
