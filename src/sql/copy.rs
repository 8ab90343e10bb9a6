//! COPY's data formats: PostgreSQL's text format (tab-separated, `\N` for
//! NULL, backslash escapes) and CSV (quoted fields, `""` inside quotes,
//! unquoted empty field for NULL), read from the bytes a client streams;
//! binary is `copy_binary`'s.
//!
//! Records are cut off the front of a buffer as their ends arrive (a CSV
//! record may span lines inside quotes), then split into fields. Values
//! are parsed by their column's type later (`types::text::parse`).

use sqlparser::ast::{CopyLegacyCsvOption, CopyLegacyOption, CopyOption};

use crate::errinput;
use crate::error::{sqlstate, Result};

/// SQLSTATE of malformed COPY data.
pub const BAD_COPY_FILE_FORMAT: &str = "22P04";

/// How COPY data is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyFormat {
    pub csv: bool,
    pub binary: bool,
    /// FORMAT parquet (a FlintDB extension): one Parquet file.
    pub parquet: bool,
    pub delimiter: u8,
    pub null: String,
    pub header: bool,
    pub quote: u8,
    pub escape: u8,
}

impl CopyFormat {
    /// The format COPY's options ask for (text by default).
    pub fn from_options(options: &[CopyOption], legacy: &[CopyLegacyOption]) -> Result<Self> {
        let mut csv = false;
        let mut binary = false;
        let mut parquet = false;
        let (mut delimiter, mut null, mut header, mut quote, mut escape) =
            (None, None, false, None, None);
        for o in options {
            match o {
                CopyOption::Format(name) => match name.value.to_lowercase().as_str() {
                    "text" => (csv, binary, parquet) = (false, false, false),
                    "csv" => (csv, binary, parquet) = (true, false, false),
                    "binary" => (csv, binary, parquet) = (false, true, false),
                    "parquet" => (csv, binary, parquet) = (false, false, true),
                    other => {
                        return Err(errinput!(
                            sqlstate::INVALID_PARAMETER_VALUE,
                            "COPY format \"{other}\" not recognized"
                        ))
                    }
                },
                CopyOption::Freeze(_) => {}
                CopyOption::Delimiter(c) => delimiter = Some(*c),
                CopyOption::Null(s) => null = Some(s.clone()),
                CopyOption::Header(h) => header = *h,
                CopyOption::Quote(c) => quote = Some(*c),
                CopyOption::Escape(c) => escape = Some(*c),
                CopyOption::Encoding(e)
                    if matches!(e.to_lowercase().as_str(), "utf8" | "utf-8" | "unicode") => {}
                other => return Err(crate::errunsupported!("COPY option {other}")),
            }
        }
        for o in legacy {
            match o {
                CopyLegacyOption::Delimiter(c) => delimiter = Some(*c),
                CopyLegacyOption::Null(s) => null = Some(s.clone()),
                CopyLegacyOption::Csv(csv_options) => {
                    csv = true;
                    for c in csv_options {
                        match c {
                            CopyLegacyCsvOption::Header => header = true,
                            CopyLegacyCsvOption::Quote(q) => quote = Some(*q),
                            CopyLegacyCsvOption::Escape(e) => escape = Some(*e),
                            other => return Err(crate::errunsupported!("COPY option {other}")),
                        }
                    }
                }
                CopyLegacyOption::Binary => binary = true,
                other => return Err(crate::errunsupported!("COPY option {other}")),
            }
        }
        let byte = |c: Option<char>, default: u8, what: &str| -> Result<u8> {
            match c {
                None => Ok(default),
                Some(c) if c.is_ascii() => Ok(c as u8),
                Some(_) => Err(errinput!(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "COPY {what} must be a single one-byte character"
                )),
            }
        };
        if binary || parquet {
            let mode = if binary { "BINARY" } else { "PARQUET" };
            let given = [
                ("DELIMITER", delimiter.is_some()),
                ("NULL", null.is_some()),
                ("HEADER", header),
            ];
            if let Some((what, _)) = given.iter().find(|(_, given)| *given) {
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "cannot specify {what} in {mode} mode"
                ));
            }
        }
        let delimiter = byte(delimiter, if csv { b',' } else { b'\t' }, "delimiter")?;
        let quote = byte(quote, b'"', "quote")?;
        let escape = byte(escape, quote, "escape")?;
        if !csv && header {
            return Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot specify HEADER in {} mode",
                if binary {
                    "BINARY"
                } else if parquet {
                    "PARQUET"
                } else {
                    "TEXT"
                }
            ));
        }
        Ok(CopyFormat {
            csv,
            binary,
            parquet,
            delimiter,
            null: null.unwrap_or_else(|| if csv { String::new() } else { "\\N".into() }),
            header,
            quote,
            escape,
        })
    }

    /// Cuts the complete records off the front of `buf` (for data that
    /// arrives in one piece; see [`RecordCutter`] for a stream).
    pub fn take_records(&self, buf: &mut Vec<u8>, at_end: bool) -> Result<Vec<Vec<u8>>> {
        RecordCutter::default().take(self, buf, at_end)
    }

    /// One row as a record of this format, newline included.
    pub fn write_row(&self, row: &[crate::types::Value]) -> Vec<u8> {
        if self.binary {
            return crate::sql::copy_binary::write_row(row);
        }
        let mut out = Vec::new();
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push(self.delimiter);
            }
            let Some(text) = crate::types::text::format(value) else {
                out.extend_from_slice(self.null.as_bytes());
                continue;
            };
            if self.csv {
                self.write_csv_field(text.as_bytes(), &mut out);
            } else {
                for &b in text.as_bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\t' if self.delimiter == b'\t' => out.extend_from_slice(b"\\t"),
                        b if b == self.delimiter => {
                            out.push(b'\\');
                            out.push(b);
                        }
                        b => out.push(b),
                    }
                }
            }
        }
        out.push(b'\n');
        out
    }

    fn write_csv_field(&self, text: &[u8], out: &mut Vec<u8>) {
        let needs_quotes = text.is_empty() && self.null.is_empty()
            || text == self.null.as_bytes()
            || text
                .iter()
                .any(|b| *b == self.delimiter || *b == self.quote || *b == b'\n' || *b == b'\r')
            || text.starts_with(b"\\.");
        if !needs_quotes {
            out.extend_from_slice(text);
            return;
        }
        out.push(self.quote);
        for &b in text {
            if b == self.quote || b == self.escape {
                out.push(self.escape);
            }
            out.push(b);
        }
        out.push(self.quote);
    }

    /// Whether a record is the end-of-data marker: `\.` in text, the
    /// trailer in binary.
    pub fn is_end_marker(&self, record: &[u8]) -> bool {
        if self.binary {
            record == crate::sql::copy_binary::TRAILER
        } else {
            !self.csv && record == b"\\."
        }
    }

    /// A record's fields (None for NULL).
    pub fn fields(&self, record: &[u8]) -> Result<Vec<Option<String>>> {
        let fields = if self.csv {
            self.csv_fields(record)?
        } else {
            self.text_fields(record)?
        };
        Ok(fields)
    }

    fn text_fields(&self, record: &[u8]) -> Result<Vec<Option<String>>> {
        let mut out = Vec::new();
        for raw in record.split(|b| *b == self.delimiter) {
            if raw == self.null.as_bytes() {
                out.push(None);
                continue;
            }
            let mut value = Vec::with_capacity(raw.len());
            let mut i = 0;
            while i < raw.len() {
                if raw[i] != b'\\' || i + 1 == raw.len() {
                    value.push(raw[i]);
                    i += 1;
                    continue;
                }
                let c = raw[i + 1];
                i += 2;
                match c {
                    b'b' => value.push(8),
                    b'f' => value.push(12),
                    b'n' => value.push(b'\n'),
                    b'r' => value.push(b'\r'),
                    b't' => value.push(b'\t'),
                    b'v' => value.push(11),
                    b'0'..=b'7' => {
                        let mut n = (c - b'0') as u32;
                        for _ in 0..2 {
                            match raw.get(i) {
                                Some(d @ b'0'..=b'7') => {
                                    n = n * 8 + (d - b'0') as u32;
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        value.push(n as u8);
                    }
                    b'x' if raw.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                        let mut n = 0u32;
                        for _ in 0..2 {
                            match raw.get(i).and_then(|d| (*d as char).to_digit(16)) {
                                Some(d) => {
                                    n = n * 16 + d;
                                    i += 1;
                                }
                                None => break,
                            }
                        }
                        value.push(n as u8);
                    }
                    other => value.push(other),
                }
            }
            out.push(Some(utf8(value)?));
        }
        Ok(out)
    }

    fn csv_fields(&self, record: &[u8]) -> Result<Vec<Option<String>>> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let mut value = Vec::new();
            let mut quoted = false;
            while i < record.len() && record[i] != self.delimiter {
                if record[i] != self.quote {
                    value.push(record[i]);
                    i += 1;
                    continue;
                }
                quoted = true;
                i += 1;
                loop {
                    let Some(&b) = record.get(i) else {
                        return Err(errinput!(
                            BAD_COPY_FILE_FORMAT,
                            "unterminated CSV quoted field"
                        ));
                    };
                    if b == self.escape && record.get(i + 1) == Some(&self.quote) {
                        value.push(self.quote);
                        i += 2;
                    } else if b == self.quote {
                        i += 1;
                        break;
                    } else {
                        value.push(b);
                        i += 1;
                    }
                }
            }
            if !quoted && value == self.null.as_bytes() {
                out.push(None);
            } else {
                out.push(Some(utf8(value)?));
            }
            if i >= record.len() {
                return Ok(out);
            }
            i += 1;
        }
    }
}

/// Cuts records off a buffer that grows as data arrives, remembering how
/// far it has looked, so a record spread over many messages (a 64 MB
/// value) is scanned once, not once per message.
#[derive(Debug, Default)]
pub struct RecordCutter {
    /// Bytes of the buffer's incomplete record already scanned.
    scanned: usize,
    in_quotes: bool,
    /// Binary: the file header has been read.
    header_read: bool,
}

impl RecordCutter {
    /// Cuts the complete records off the front of `buf`; with `at_end`,
    /// the rest is a record too (data need not end with a newline).
    pub fn take(
        &mut self,
        f: &CopyFormat,
        buf: &mut Vec<u8>,
        at_end: bool,
    ) -> Result<Vec<Vec<u8>>> {
        if f.binary {
            return self.take_binary(buf, at_end);
        }
        let mut records = Vec::new();
        let mut start = 0;
        let mut i = self.scanned;
        while i < buf.len() {
            let b = buf[i];
            if f.csv && self.in_quotes && b == f.escape && f.escape != f.quote {
                i += 2;
                continue;
            }
            if f.csv && b == f.quote {
                self.in_quotes = !self.in_quotes;
            } else if b == b'\n' && !self.in_quotes {
                let mut end = i;
                if end > start && buf[end - 1] == b'\r' {
                    end -= 1;
                }
                records.push(buf[start..end].to_vec());
                start = i + 1;
            }
            i += 1;
        }
        if at_end && start < buf.len() {
            records.push(buf[start..].to_vec());
            start = buf.len();
            i = start;
        }
        buf.drain(..start);
        self.scanned = i - start;
        Ok(records)
    }

    fn take_binary(&mut self, buf: &mut Vec<u8>, at_end: bool) -> Result<Vec<Vec<u8>>> {
        use crate::sql::copy_binary::{header_length, record_length};
        let mut start = 0;
        if !self.header_read {
            match header_length(buf, at_end)? {
                Some(n) => {
                    start = n;
                    self.header_read = true;
                }
                None => return Ok(Vec::new()),
            }
        }
        let mut records = Vec::new();
        while let Some(n) = record_length(&buf[start..])? {
            records.push(buf[start..start + n].to_vec());
            start += n;
        }
        if at_end && start < buf.len() {
            return Err(errinput!(
                BAD_COPY_FILE_FORMAT,
                "unexpected EOF in COPY data"
            ));
        }
        buf.drain(..start);
        Ok(records)
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        errinput!(
            sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
            "invalid byte sequence for encoding \"UTF8\""
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> CopyFormat {
        CopyFormat::from_options(&[], &[]).unwrap()
    }

    fn csv() -> CopyFormat {
        CopyFormat::from_options(
            &[CopyOption::Format(sqlparser::ast::Ident::new("csv"))],
            &[],
        )
        .unwrap()
    }

    #[test]
    fn text_records_unescape_and_null() {
        let f = text();
        let mut buf = b"1\ta\\tb\\\\c\t\\N\n2\t\\x41\\101\r\n3\tpart".to_vec();
        let records = f.take_records(&mut buf, false).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(buf, b"3\tpart");
        assert_eq!(
            f.fields(&records[0]).unwrap(),
            vec![Some("1".into()), Some("a\tb\\c".into()), None]
        );
        assert_eq!(
            f.fields(&records[1]).unwrap(),
            vec![Some("2".into()), Some("AA".into())]
        );
        assert_eq!(
            f.take_records(&mut buf, true).unwrap(),
            vec![b"3\tpart".to_vec()]
        );
    }

    #[test]
    fn a_record_in_many_pieces_is_cut_once_whole() {
        let f = csv();
        let mut cutter = RecordCutter::default();
        let mut buf = Vec::new();
        let data = b"1,\"a\nb\"\n2,c\n3,d";
        let mut records = Vec::new();
        for piece in data.chunks(2) {
            buf.extend_from_slice(piece);
            records.extend(cutter.take(&f, &mut buf, false).unwrap());
        }
        records.extend(cutter.take(&f, &mut buf, true).unwrap());
        assert_eq!(
            records,
            vec![b"1,\"a\nb\"".to_vec(), b"2,c".to_vec(), b"3,d".to_vec()]
        );
    }

    #[test]
    fn rows_written_read_back() {
        use crate::types::Value;
        let row = vec![
            Value::Int4(1),
            Value::Text("a\tb\\c\nd,\"e\"".into()),
            Value::Null,
            Value::Text(String::new()),
        ];
        for f in [text(), csv()] {
            let mut line = f.write_row(&row);
            let records = f.take_records(&mut line, false).unwrap();
            assert_eq!(records.len(), 1, "{f:?}");
            let fields = f.fields(&records[0]).unwrap();
            assert_eq!(
                fields,
                vec![
                    Some("1".into()),
                    Some("a\tb\\c\nd,\"e\"".into()),
                    None,
                    Some(String::new())
                ],
                "{f:?}"
            );
        }
    }

    #[test]
    fn csv_records_span_lines_inside_quotes() {
        let f = csv();
        let mut buf = b"1,\"a,\"\"b\"\"\nc\",\n2,\"\",x\n".to_vec();
        let records = f.take_records(&mut buf, false).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            f.fields(&records[0]).unwrap(),
            vec![Some("1".into()), Some("a,\"b\"\nc".into()), None]
        );
        assert_eq!(
            f.fields(&records[1]).unwrap(),
            vec![Some("2".into()), Some("".into()), Some("x".into())]
        );
        assert_eq!(
            f.fields(b"1,\"open").unwrap_err().sqlstate(),
            BAD_COPY_FILE_FORMAT
        );
    }
}
