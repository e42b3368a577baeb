//! Resolving group references (`groups`, `memberOf`) to group ids: the groups file
//! first, then the directory.

use std::collections::HashMap;

use portcullis_core::GroupId;
use portcullis_store::StoreError;

use crate::row::GroupRef;
use crate::target::ImportTarget;

/// Known groups and cached directory lookups for one run.
#[derive(Debug, Default)]
pub(crate) struct GroupDirectory {
    /// Groups of the groups file that are stored, by lower-cased display name.
    file_names: HashMap<String, Vec<GroupId>>,
    /// Display names of every group seen (for audit targets).
    names: HashMap<GroupId, String>,
    /// Directory lookups by lower-cased name: the id, or why there is none.
    by_name: HashMap<String, Result<GroupId, String>>,
    /// Ids known not to exist.
    missing: HashMap<GroupId, ()>,
}

impl GroupDirectory {
    /// A groups-file group that is now stored (created, or found).
    pub(crate) fn register(&mut self, id: &GroupId, name: &str) {
        self.file_names
            .entry(name.to_lowercase())
            .or_default()
            .push(id.clone());
        self.names.insert(id.clone(), name.to_owned());
    }

    pub(crate) fn name_of(&self, id: &GroupId) -> &str {
        self.names.get(id).map(String::as_str).unwrap_or_default()
    }

    /// The group a reference names, or the message saying why it names none.
    pub(crate) async fn resolve(
        &mut self,
        target: &dyn ImportTarget,
        reference: &GroupRef,
    ) -> Result<Result<GroupId, String>, StoreError> {
        match reference {
            GroupRef::Id(id) => {
                if self.names.contains_key(id) {
                    return Ok(Ok(id.clone()));
                }
                if self.missing.contains_key(id) {
                    return Ok(Err(format!("no group has id {id}")));
                }
                match target.find_group(id).await? {
                    Some(group) => {
                        self.names.insert(group.id.clone(), group.display_name);
                        Ok(Ok(group.id))
                    }
                    None => {
                        self.missing.insert(id.clone(), ());
                        Ok(Err(format!("no group has id {id}")))
                    }
                }
            }
            GroupRef::Name(name) => {
                let key = name.to_lowercase();
                match self.file_names.get(&key).map(Vec::as_slice) {
                    Some([id]) => return Ok(Ok(id.clone())),
                    Some(ids) if ids.len() > 1 => {
                        return Ok(Err(format!(
                            "{} groups of the groups file are named {name:?}; name the group by its id",
                            ids.len()
                        )));
                    }
                    _ => {}
                }
                if let Some(known) = self.by_name.get(&key) {
                    return Ok(known.clone());
                }
                let found = target.find_groups_by_name(name, 2).await?;
                let answer = match found.as_slice() {
                    [group] => {
                        self.names
                            .insert(group.id.clone(), group.display_name.clone());
                        Ok(group.id.clone())
                    }
                    [] => Err(format!(
                        "no group named {name:?} in the groups file or the directory"
                    )),
                    _ => Err(format!(
                        "several groups in the directory are named {name:?}; name the group by its id"
                    )),
                };
                self.by_name.insert(key, answer.clone());
                Ok(answer)
            }
        }
    }
}
