//! Writing JSON results.

use std::io::Write;

use serde::Serialize;

use crate::error::CliError;

/// Pretty-printed JSON and a newline.
pub(crate) fn json(out: &mut impl Write, value: &impl Serialize) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
