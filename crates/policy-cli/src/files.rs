//! Turning `PATH…` arguments into files: a file stands for itself, a folder for every
//! `.json` file under it (recursively, in name order, so output is stable).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Every file the paths stand for, in argument order; folders expand in name order.
pub(crate) fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            let before = files.len();
            collect_folder(path, &mut files)?;
            if files.len() == before {
                return Err(CliError::EmptyFolder { path: path.clone() });
            }
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect_folder(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let read_error = |source| CliError::Read {
        path: folder.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = fs::read_dir(folder)
        .map_err(read_error)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_folder(&entry, files)?;
        } else if entry
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
        {
            files.push(entry);
        }
    }
    Ok(())
}

/// The bytes of a file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    fs::read(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })
}
