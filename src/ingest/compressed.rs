//! Compressed files (gzip, zstd): told by their first bytes, whatever their name, and
//! decompressed as a stream while they are read, so memory stays that of the decoder's window
//! (32 KB for gzip, up to 8 MB for zstd at its usual levels), not the file's.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// How a file's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Plain,
    Gzip,
    Zstd,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

impl Compression {
    /// The compression that a file's first bytes announce.
    pub fn of_bytes(head: &[u8]) -> Compression {
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::Plain
        }
    }

    /// The compression of a file, read from its first bytes.
    pub fn of_file(path: &Path) -> io::Result<Compression> {
        let mut head = [0u8; 4];
        let mut file = File::open(path)?;
        let mut n = 0;
        while n < head.len() {
            match file.read(&mut head[n..])? {
                0 => break,
                got => n += got,
            }
        }
        Ok(Compression::of_bytes(&head[..n]))
    }

    /// The name DuckDB and users know it by.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Plain => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The file name ending that says it (DuckDB detects compression by name only).
    pub fn extension(self) -> Option<&'static str> {
        match self {
            Compression::Plain => None,
            Compression::Gzip => Some("gz"),
            Compression::Zstd => Some("zst"),
        }
    }
}

/// What a file that is not text seems to be, from its first bytes, for the hint of an error
/// that finds it is not UTF-8: formats kpi does not decompress, and a workbook under another
/// name.
pub fn unread_format(path: &Path) -> Option<&'static str> {
    let mut head = [0u8; 4];
    File::open(path).ok()?.read_exact(&mut head).ok()?;
    match &head {
        [b'P', b'K', 3, 4] => Some(
            "the file is a zip archive: a workbook (.xlsx, .ods) is read when its name ends so; \
             another archive must be unzipped first",
        ),
        [b'B', b'Z', b'h', _] => Some("the file is bzip2-compressed: kpi reads gzip and zstd"),
        [0xfd, b'7', b'z', b'X'] => Some("the file is xz-compressed: kpi reads gzip and zstd"),
        [0xd0, 0xcf, 0x11, 0xe0] => {
            Some("the file is an Excel 97-2003 workbook: it is read when its name ends in .xls")
        }
        _ => None,
    }
}

/// The file's bytes, decompressed while read when its first bytes say it is compressed.
pub fn decompressed(mut reader: BufReader<File>) -> io::Result<Box<dyn Read>> {
    let compression = Compression::of_bytes(reader.fill_buf()?);
    Ok(match compression {
        Compression::Plain => Box::new(reader),
        // Multi-member: `cat a.gz b.gz` and parallel gzip tools write several members.
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(reader),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::with_buffer(reader)?,
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn magic_bytes_tell_the_compression() {
        assert_eq!(Compression::of_bytes(b"\x1f\x8b\x08\0"), Compression::Gzip);
        assert_eq!(
            Compression::of_bytes(b"\x28\xb5\x2f\xfd"),
            Compression::Zstd
        );
        assert_eq!(Compression::of_bytes(b"id,amount"), Compression::Plain);
        assert_eq!(Compression::of_bytes(b"\x1f"), Compression::Plain);
        assert_eq!(Compression::of_bytes(b""), Compression::Plain);
    }

    fn read_back(bytes: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, bytes).unwrap();
        let reader = BufReader::new(File::open(&path).unwrap());
        let mut out = String::new();
        decompressed(reader)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn concatenated_gzip_members_are_all_read() {
        let mut bytes = Vec::new();
        for part in ["a,b\n", "1,2\n"] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            bytes.extend(gz.finish().unwrap());
        }
        assert_eq!(read_back(&bytes), "a,b\n1,2\n");
    }

    #[test]
    fn zstd_and_plain_files_read_as_written() {
        let zst = zstd::encode_all(&b"a,b\n1,2\n"[..], 3).unwrap();
        assert_eq!(read_back(&zst), "a,b\n1,2\n");
        assert_eq!(read_back(b"a,b\n"), "a,b\n");
    }
}
