//! Windows-1252 (and latin-1, which WHATWG reads as windows-1252) has one byte per character,
//! so a file can be cut at any byte and each piece transcoded on its own thread. The record
//! reader counts the UTF-8 bytes of the text; these convert between a piece's bytes in the file
//! and its UTF-8 text, so that pieces are still cut and chained by file offsets.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The UTF-8 length of each byte's character.
pub struct Widths([u8; 256]);

impl Widths {
    pub fn windows_1252() -> Widths {
        let mut widths = [1u8; 256];
        for (byte, width) in widths.iter_mut().enumerate() {
            let bytes = [byte as u8];
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
            *width = text.len() as u8;
        }
        Widths(widths)
    }

    /// The UTF-8 length of the text of `path`'s bytes `start..end`.
    pub fn text_len(&self, path: &Path, start: u64, end: u64) -> io::Result<u64> {
        let mut reader = at(path, start)?.take(end.saturating_sub(start));
        let mut buffer = vec![0u8; 1 << 16];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                return Ok(total);
            }
            total += buffer[..n]
                .iter()
                .map(|&b| u64::from(self.0[b as usize]))
                .sum::<u64>();
        }
    }

    /// How many bytes of `path` from `start` make `text` bytes of UTF-8 text (a record end is
    /// always a character's end).
    pub fn file_len(&self, path: &Path, start: u64, text: u64) -> io::Result<u64> {
        let mut reader = at(path, start)?;
        let mut buffer = vec![0u8; 1 << 16];
        let (mut bytes, mut made) = (0u64, 0u64);
        while made < text {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            for &b in &buffer[..n] {
                if made >= text {
                    break;
                }
                made += u64::from(self.0[b as usize]);
                bytes += 1;
            }
        }
        Ok(bytes)
    }
}

/// The text of a windows-1252 stream, as UTF-8; a byte-order mark is not looked for (a piece
/// starts mid-file; a file that has one is not cut: see [`has_bom`]).
pub fn decoded<R: Read>(reader: R) -> impl Read {
    encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding_rs::WINDOWS_1252))
        .bom_sniffing(false)
        .build(reader)
}

/// Whether the file starts with a byte-order mark, which makes the whole-file reader take it
/// for UTF-8 or UTF-16 whatever the configured encoding.
pub fn has_bom(path: &Path) -> io::Result<bool> {
    let mut start = [0u8; 3];
    let n = File::open(path)?.read(&mut start)?;
    Ok(start[..n].starts_with(&[0xEF, 0xBB, 0xBF])
        || start[..n].starts_with(&[0xFF, 0xFE])
        || start[..n].starts_with(&[0xFE, 0xFF]))
}

fn at(path: &Path, offset: u64) -> io::Result<BufReader<File>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_both_ways_over_wide_characters() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f.csv");
        // é (0xE9) is 2 bytes of UTF-8, € (0x80) 3, a 1.
        std::fs::write(&path, [b'a', 0xE9, 0x80, b'a', b'\n']).expect("write");
        let widths = Widths::windows_1252();
        assert_eq!(widths.text_len(&path, 0, 5).expect("len"), 8);
        assert_eq!(widths.text_len(&path, 1, 3).expect("len"), 5);
        assert_eq!(widths.file_len(&path, 0, 6).expect("len"), 3);
        assert_eq!(widths.file_len(&path, 1, 5).expect("len"), 2);
        assert_eq!(widths.file_len(&path, 0, 8).expect("len"), 5);
        let mut text = String::new();
        decoded(&[0xE9u8, 0x80][..])
            .read_to_string(&mut text)
            .expect("decode");
        assert_eq!(text, "é€");
    }
}
