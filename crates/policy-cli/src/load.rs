//! Reading the inputs of the commands, each error naming its file.

use std::path::{Path, PathBuf};

use portcullis_policy::evaluate::PolicySet;
use portcullis_policy::import::{Document, decode, import_documents};
use portcullis_policy::model::{ConditionalAccessPolicy, NamedLocation, special};
use serde::de::DeserializeOwned;

use crate::error::CliError;
use crate::files;

/// The policy files, named-location files and authentication-strength files the
/// `whatif`, `evaluate` and `lint` commands share.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyInputs {
    pub(crate) policies: Vec<PathBuf>,
    pub(crate) named_locations: Vec<PathBuf>,
    pub(crate) authentication_strengths: Vec<PathBuf>,
}

impl PolicyInputs {
    /// Reads every file into a policy set. Each file may hold any of the three kinds
    /// (a folder export mixes policies and named locations); objects go where their kind
    /// belongs, whichever option named the file.
    pub(crate) fn load(&self) -> Result<PolicySet, CliError> {
        let mut set = PolicySet::default();
        let paths = self
            .policies
            .iter()
            .chain(&self.named_locations)
            .chain(&self.authentication_strengths)
            .cloned()
            .collect::<Vec<_>>();
        for path in files::expand(&paths)? {
            let bytes = files::read(&path)?;
            let documents = import_documents(&bytes).map_err(|source| CliError::Import {
                path: path.clone(),
                source,
            })?;
            for document in documents {
                match document {
                    Document::Policy(policy) => set.policies.push(*policy),
                    Document::NamedLocation(location) => set.named_locations.push(*location),
                    Document::AuthenticationStrength(strength) => {
                        set.authentication_strengths.push(*strength);
                    }
                }
            }
        }
        Ok(set)
    }
}

/// Every (policy, location ID) where the policy names a location the set does not define.
pub(crate) fn missing_named_locations(
    policies: &[ConditionalAccessPolicy],
    named: &[NamedLocation],
) -> Vec<(String, String)> {
    let known = |id: &str| {
        named.iter().any(|location| {
            location
                .id
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(id))
        })
    };
    let mut missing = Vec::new();
    for policy in policies {
        let Some(locations) = policy
            .conditions
            .as_ref()
            .and_then(|c| c.locations.as_ref())
        else {
            continue;
        };
        for id in locations
            .include_locations
            .iter()
            .chain(&locations.exclude_locations)
        {
            let is_special = id == special::ALL || id == special::ALL_TRUSTED;
            if !is_special && !known(id) {
                missing.push((policy.display_name.clone(), id.clone()));
            }
        }
    }
    missing
}

/// Reads a JSON document of type `T` (any encoding Entra exports use), naming the file,
/// the line and the column on error.
pub(crate) fn json_file<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, CliError> {
    let bytes = files::read(path)?;
    let (text, _) = decode(&bytes).map_err(|source| CliError::Import {
        path: path.to_path_buf(),
        source,
    })?;
    if text.trim().is_empty() {
        return Err(CliError::Input {
            path: path.to_path_buf(),
            message: format!("the file is empty; expected {what}"),
        });
    }
    serde_json::from_str(&text).map_err(|error| CliError::Input {
        path: path.to_path_buf(),
        message: format!("not {what}: {error}"),
    })
}
