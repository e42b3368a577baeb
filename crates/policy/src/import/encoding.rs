//! Text encoding detection: UTF-8 (with or without BOM), UTF-16 LE/BE (with or without
//! BOM).

use super::ImportError;

/// The text encodings [`decode`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (PowerShell `Out-File -Encoding utf8` on Windows).
    Utf8Bom,
    /// UTF-16 little-endian (with or without BOM); PowerShell 5's default.
    Utf16Le,
    /// UTF-16 big-endian (with or without BOM).
    Utf16Be,
}

/// Detects the encoding of `bytes` and returns the text without its BOM.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest).map(|text| (text, TextEncoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, TextEncoding::Utf16Le).map(|text| (text, TextEncoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, TextEncoding::Utf16Be).map(|text| (text, TextEncoding::Utf16Be));
    }
    if let Some(encoding) = sniff_bomless_utf16(bytes) {
        return decode_utf16(bytes, encoding).map(|text| (text, encoding));
    }
    decode_utf8(bytes).map(|text| (text, TextEncoding::Utf8))
}

/// JSON text starts with ASCII (whitespace, `{`, `[`), so BOM-less UTF-16 shows NUL as
/// every second byte: odd positions for LE, even for BE. Looks at up to the first 64
/// code units and needs most of them to follow the pattern, while plain UTF-8 JSON never
/// contains NUL bytes at all.
fn sniff_bomless_utf16(bytes: &[u8]) -> Option<TextEncoding> {
    if bytes.len() < 2 {
        return None;
    }
    let units = bytes.chunks_exact(2).take(64);
    let (mut low_nul, mut high_nul, mut count) = (0usize, 0usize, 0usize);
    for unit in units {
        count += 1;
        if unit[0] == 0 && unit[1] != 0 {
            low_nul += 1;
        }
        if unit[1] == 0 && unit[0] != 0 {
            high_nul += 1;
        }
    }
    // At least three quarters of the units must look like ASCII in UTF-16.
    let threshold = (count * 3).div_ceil(4);
    if high_nul >= threshold && high_nul > 0 {
        Some(TextEncoding::Utf16Le)
    } else if low_nul >= threshold && low_nul > 0 {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<String, ImportError> {
    String::from_utf8(bytes.to_vec()).map_err(|error| ImportError::Encoding {
        encoding: "UTF-8",
        detail: format!(
            "invalid byte sequence at byte offset {}",
            error.utf8_error().valid_up_to()
        ),
    })
}

fn decode_utf16(bytes: &[u8], encoding: TextEncoding) -> Result<String, ImportError> {
    let name = if encoding == TextEncoding::Utf16Be {
        "UTF-16BE"
    } else {
        "UTF-16LE"
    };
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::Encoding {
            encoding: name,
            detail: format!("odd number of bytes ({})", bytes.len()),
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if encoding == TextEncoding::Utf16Be {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for (index, decoded) in char::decode_utf16(units).enumerate() {
        match decoded {
            Ok(character) => text.push(character),
            Err(error) => {
                return Err(ImportError::Encoding {
                    encoding: name,
                    detail: format!(
                        "unpaired surrogate 0x{:04X} at code unit {index}",
                        error.unpaired_surrogate()
                    ),
                });
            }
        }
    }
    Ok(text)
}
