//! The first pass over an import file, before any row is read: in constant memory, it checks
//! what would make the file an error as a whole and could otherwise only show at its end (bytes
//! that are not UTF-8, a CSV quoted field never closed), tells a FHIR Bundle from a CSV file,
//! and counts the CSV rows, for progress. Reading rows is the second pass; so a file refused as
//! a whole is refused before any of its rows is imported.

use std::io::Read;

use super::file_error;
use super::rows::read_up_to;
use crate::error::Result;

/// The UTF-8 byte order mark, which a file may start with.
pub(crate) const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// Bytes read at a time.
const CHUNK: usize = 64 * 1024;

/// What the first pass found in a file that may be imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Survey {
    /// Whether it is JSON (its first character other than white space is `{`).
    pub bundle: bool,
    /// For a CSV file, its non-empty lines outside quoted fields, the header's included.
    pub lines: usize,
}

/// Reads `reader` to its end. Errors: not UTF-8; a CSV quoted field never closed (naming the
/// line it opens on); a read that fails.
pub(crate) fn survey(reader: &mut impl Read) -> Result<Survey> {
    let mut utf8 = Utf8::default();
    let mut scan = Scan::new();
    let mut bundle = None;
    let mut chunk = vec![0; CHUNK];
    let head = read_up_to(reader, &mut chunk[..BYTE_ORDER_MARK.len()])?;
    let mut bytes = chunk[..head]
        .strip_prefix(BYTE_ORDER_MARK)
        .unwrap_or(&chunk[..head])
        .to_vec();
    loop {
        utf8.feed(&bytes);
        if bundle.is_none() {
            bundle = bytes
                .iter()
                .find(|byte| !byte.is_ascii_whitespace())
                .map(|&byte| byte == b'{');
        }
        if bundle != Some(true) {
            bytes.iter().for_each(|&byte| scan.feed(byte));
        }
        let read = read_up_to(reader, &mut chunk)?;
        if read == 0 {
            break;
        }
        bytes.clear();
        bytes.extend_from_slice(&chunk[..read]);
    }
    if !utf8.valid() {
        return Err(file_error("it is not UTF-8 text"));
    }
    let bundle = bundle == Some(true);
    if let Some(line) = scan.unclosed_quote().filter(|_| !bundle) {
        return Err(file_error(format!(
            "a quoted field opens on line {line} and is never closed"
        )));
    }
    Ok(Survey {
        bundle,
        lines: scan.lines + usize::from(scan.content),
    })
}

/// UTF-8 checked piece by piece: a character split between pieces is completed by the next.
#[derive(Default)]
struct Utf8 {
    /// The start of a character the last piece ended in.
    carry: Vec<u8>,
    invalid: bool,
}

impl Utf8 {
    fn feed(&mut self, bytes: &[u8]) {
        if self.invalid || bytes.is_empty() {
            return;
        }
        let joined;
        let bytes = if self.carry.is_empty() {
            bytes
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), bytes].concat();
            joined.as_slice()
        };
        if let Err(error) = std::str::from_utf8(bytes) {
            match error.error_len() {
                Some(_) => self.invalid = true,
                None => self.carry = bytes[error.valid_up_to()..].to_vec(),
            }
        }
    }

    /// Whether everything fed was UTF-8, with no character left unfinished.
    fn valid(&self) -> bool {
        !self.invalid && self.carry.is_empty()
    }
}

/// Quoted fields and lines, byte by byte, by the rules of the CSV reader: a quote opens a
/// quoted field only at the start of a field (elsewhere it is text), inside one a doubled
/// quote stands for a quote, and `\n`, `\r\n` and a lone `\r` each end a line.
struct Scan {
    /// The line the open quoted field opened on, if one is open.
    open_quote: Option<usize>,
    /// Inside a quoted field, whether the byte before was a quote: it closes the field,
    /// unless this byte is another quote.
    quote_pending: bool,
    /// Whether the last byte ended a field (or nothing has been read).
    field_start: bool,
    /// Whether the last byte was a `\r`.
    after_cr: bool,
    /// Lines ended so far.
    ended: usize,
    /// Non-empty lines ended outside quoted fields.
    lines: usize,
    /// Whether the line being read has something other than line breaks.
    content: bool,
}

impl Scan {
    fn new() -> Self {
        Self {
            open_quote: None,
            quote_pending: false,
            field_start: true,
            after_cr: false,
            ended: 0,
            lines: 0,
            content: false,
        }
    }

    fn feed(&mut self, byte: u8) {
        // A `\r` ends a line unless a `\n` follows it, which ends it instead.
        if self.after_cr && byte != b'\n' {
            self.ended += 1;
        }
        let line = self.ended + 1;
        self.ended += usize::from(byte == b'\n');
        self.after_cr = byte == b'\r';
        if self.open_quote.is_some() {
            if !std::mem::take(&mut self.quote_pending) {
                self.quote_pending = byte == b'"';
                return;
            }
            if byte == b'"' {
                return;
            }
            self.open_quote = None;
        }
        if byte == b'"' && self.field_start {
            self.open_quote = Some(line);
        }
        let breaks = matches!(byte, b'\n' | b'\r');
        if breaks && self.content {
            self.lines += 1;
        }
        self.content = !breaks;
        self.field_start = matches!(byte, b',' | b'\n' | b'\r');
    }

    /// The line of a quoted field still open at the end: not closed by a last quote.
    fn unclosed_quote(&self) -> Option<usize> {
        self.open_quote.filter(|_| !self.quote_pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Surveys `bytes` read a few bytes at a time, so that every boundary case is met.
    fn survey_in_pieces(bytes: &[u8], piece: usize) -> Result<Survey> {
        struct Pieces<'a>(&'a [u8], usize);
        impl Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        survey(&mut Pieces(bytes, piece))
    }

    fn reason(result: Result<Survey>) -> String {
        match result {
            Err(crate::HospitalError::InvalidInput { reason, .. }) => reason,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn files_are_told_apart_and_lines_counted_whatever_the_pieces() {
        let csv = "\u{feff}Id,NAME\r\n1,\"A\r\nB\"\r\n\r\n2,\"C \"\"D\"\"\"\r\n3,é\n";
        for piece in [1, 2, 3, 5, 64] {
            let found = survey_in_pieces(csv.as_bytes(), piece).ok();
            assert_eq!(
                found,
                Some(Survey {
                    bundle: false,
                    lines: 4
                }),
                "pieces of {piece}"
            );
            let json = survey_in_pieces(b"\xef\xbb\xbf \n {\"a\": \"b,\"}", piece).ok();
            assert_eq!(json.map(|survey| survey.bundle), Some(true));
        }
    }

    #[test]
    fn an_unclosed_quote_and_bytes_that_are_not_utf8_are_refused() {
        for piece in [1, 4, 64] {
            assert_eq!(
                reason(survey_in_pieces(b"Id\r1\r\"2\r3\r", piece)),
                "a quoted field opens on line 3 and is never closed"
            );
            assert_eq!(
                reason(survey_in_pieces(b"Id\n\"x\xff\n", piece)),
                "it is not UTF-8 text",
                "UTF-8 first"
            );
            assert_eq!(
                reason(survey_in_pieces(b"Id\n\xc3", piece)),
                "it is not UTF-8 text",
                "a character cut at the end"
            );
        }
    }
}
