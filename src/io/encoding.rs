//! Text decoding of CSV input: UTF-8 (with or without BOM) and Windows-1252.

use super::error::ReadError;
use crate::model::profile::Encoding;
use crate::model::{Location, ProblemKind};
use std::borrow::Cow;
use std::path::Path;

/// Unicode code points of Windows-1252 bytes 0x80–0x9F (0 = undefined in the code page).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0, 0,
    0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// Decodes `bytes` as `encoding`, naming the line of the first invalid byte on failure.
pub fn decode<'a>(path: &Path, bytes: &'a [u8], encoding: Encoding) -> Result<Cow<'a, str>, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let hint = if looks_like_cp1252(&bytes[at..]) {
                "; the file looks like Windows-1252: set csv.encoding = \"windows-1252\" in the profile"
            } else {
                ""
            };
            ReadError::new(
                path,
                ProblemKind::Encoding,
                format!("invalid UTF-8 (byte 0x{:02X} at offset {at}){hint}", bytes[at]),
            )
            .at(Location::Line(line))
        }),
        Encoding::Windows1252 => {
            let mut out = String::with_capacity(bytes.len());
            for (i, &b) in bytes.iter().enumerate() {
                let c = match b {
                    0x80..=0x9F => char::from_u32(u32::from(CP1252_HIGH[usize::from(b - 0x80)])).filter(|&c| c != '\0'),
                    _ => Some(char::from(b)),
                };
                match c {
                    Some(c) => out.push(c),
                    None => {
                        let line = bytes[..i].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                        return Err(ReadError::new(
                            path,
                            ProblemKind::Encoding,
                            format!("byte 0x{b:02X} is undefined in Windows-1252"),
                        )
                        .at(Location::Line(line)));
                    }
                }
            }
            Ok(Cow::Owned(out))
        }
    }
}

/// Whether the bytes starting at an invalid UTF-8 position look like Latin-1 / Windows-1252
/// letters (ä = 0xE4, ö = 0xF6, å = 0xE5 and their capitals) rather than random binary.
fn looks_like_cp1252(rest: &[u8]) -> bool {
    rest.first().is_some_and(|b| matches!(b, 0xC4 | 0xC5 | 0xD6 | 0xE4 | 0xE5 | 0xF6 | 0xE9 | 0xFC))
}

/// Encodes `text` as Windows-1252, `None` if it has a character the code page lacks.
pub fn encode_cp1252(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| match c as u32 {
            0..=0x7F | 0xA0..=0xFF => Some(c as u32 as u8),
            cp => CP1252_HIGH.iter().position(|&h| u32::from(h) == cp && h != 0).map(|i| 0x80 + i as u8),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_cp1252() {
        let p = Path::new("x.csv");
        assert_eq!(decode(p, b"\xEF\xBB\xBFa;b", Encoding::Utf8).unwrap(), "a;b");
        assert_eq!(decode(p, b"P\xE4iv\xE4koti \x80", Encoding::Windows1252).unwrap(), "Päiväkoti €");
        let err = decode(p, b"a\nP\xE4iv\xE4koti", Encoding::Utf8).unwrap_err();
        assert_eq!(err.location, Location::Line(2));
        assert!(err.message.contains("windows-1252"), "{}", err.message);
        assert_eq!(encode_cp1252("Åbo €").unwrap(), b"\xC5bo \x80");
        assert!(encode_cp1252("→").is_none());
    }
}
