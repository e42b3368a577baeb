//! The groups phase: create (or find, or update) every group of the groups file, then
//! add the nesting (`memberOf`). Runs before the users, so user rows can name groups.
//!
//! Re-running it is harmless: groups are matched by id, or by display name when the row
//! has no id, and memberships that exist are not added again. A resumed import runs it
//! again to learn the groups' ids.

use portcullis_core::audit::ModifiedProperty;
use portcullis_core::{Group, GroupId, MemberRef};
use portcullis_store::Change;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Committed, Run, Unit};
use crate::error::ImportError;
use crate::row::{GroupRow, InputFile, RowError};

enum Plan {
    Create(Group),
    Update(Group, Vec<ModifiedProperty>),
    Existing(Group),
}

impl Plan {
    fn group(&self) -> &Group {
        match self {
            Plan::Create(g) | Plan::Update(g, _) | Plan::Existing(g) => g,
        }
    }
}

/// Applies the groups file. `checkpointed`: this phase was not finished before, so its
/// commits carry the checkpoint (with the counts); otherwise the counts of this pass
/// are not added again.
pub(crate) async fn apply_groups(
    run: &mut Run<'_>,
    rows: &[GroupRow],
    checkpointed: bool,
) -> Result<(), ImportError> {
    let counts_before = run.checkpoint.counts.clone();
    let planned = plan(run, rows).await?;
    let stored = write_groups(run, rows, planned, checkpointed).await?;
    add_nesting(run, rows, &stored, checkpointed).await?;
    if !checkpointed {
        run.checkpoint.counts = counts_before;
    }
    Ok(())
}

async fn plan(run: &mut Run<'_>, rows: &[GroupRow]) -> Result<Vec<(usize, Plan)>, ImportError> {
    let mut planned = Vec::with_capacity(rows.len());
    let mut refused = run.checkpoint.clone();
    for (index, row) in rows.iter().enumerate() {
        let existing = match &row.id {
            Some(id) => run.target.find_group(id).await?,
            None => {
                let mut found = run.target.find_groups_by_name(&row.display_name, 2).await?;
                if found.len() > 1 {
                    let message = format!(
                        "several groups in the directory are named {:?}; give the row the id of the one meant",
                        row.display_name
                    );
                    run.refuse(
                        &mut refused,
                        vec![RowError::new(
                            InputFile::Groups,
                            row.line,
                            Some("displayName"),
                            message,
                        )],
                    );
                    continue;
                }
                found.pop()
            }
        };
        let plan = match existing {
            None => Plan::Create(Group {
                id: row
                    .id
                    .clone()
                    .unwrap_or_else(|| GroupId::from_uuid(Uuid::new_v4())),
                display_name: row.display_name.clone(),
                description: row.description.clone(),
                mail_nickname: row.mail_nickname.clone(),
                is_assignable_to_role: false,
                created_date_time: OffsetDateTime::now_utc(),
            }),
            Some(old) if run.options.update => {
                let mut group = old.clone();
                let mut modified = Vec::new();
                group.display_name = row.display_name.clone();
                if row.description.is_some() {
                    group.description = row.description.clone();
                }
                if row.mail_nickname.is_some() {
                    group.mail_nickname = row.mail_nickname.clone();
                }
                modified.extend(group.changes_since(&old));
                if modified.is_empty() {
                    Plan::Existing(old)
                } else {
                    Plan::Update(group, modified)
                }
            }
            Some(old) => Plan::Existing(old),
        };
        planned.push((index, plan));
    }
    run.checkpoint.commit_errors = refused.commit_errors;
    Ok(planned)
}

/// Stores new and changed groups; returns the stored group of each row index.
async fn write_groups(
    run: &mut Run<'_>,
    rows: &[GroupRow],
    planned: Vec<(usize, Plan)>,
    checkpointed: bool,
) -> Result<Vec<(usize, GroupId, bool)>, ImportError> {
    let mut stored = Vec::with_capacity(planned.len());
    let mut writes = Vec::new();
    for (index, plan) in planned {
        if let Plan::Existing(group) = &plan {
            run.groups.register(&group.id, &group.display_name);
            run.checkpoint.counts.groups_existing += 1;
            stored.push((index, group.id.clone(), true));
        } else {
            writes.push((index, plan));
        }
    }
    for chunk in writes.chunks(run.options.chunk_size.max(1)) {
        let units: Vec<Unit> = chunk
            .iter()
            .map(|(_, plan)| {
                let mut unit = Unit::default();
                match plan {
                    Plan::Create(g) => {
                        unit.push(Change::CreateGroup(g.clone()), run.audit.add_group(g))
                    }
                    Plan::Update(g, modified) => unit.push(
                        Change::UpdateGroup(g.clone()),
                        run.audit.update_group(g, modified.clone()),
                    ),
                    Plan::Existing(_) => {}
                }
                unit
            })
            .collect();
        let mut next = run.checkpoint.clone();
        for (_, plan) in chunk {
            count(&mut next, plan);
        }
        match run
            .commit_together_or_each(&units, checkpointed.then_some(&next))
            .await?
        {
            Committed::Together => {
                run.checkpoint = next;
                for (index, plan) in chunk {
                    let group = plan.group();
                    run.groups.register(&group.id, &group.display_name);
                    stored.push((*index, group.id.clone(), matches!(plan, Plan::Update(..))));
                }
            }
            Committed::Each(outcomes) => {
                let mut next = run.checkpoint.clone();
                for ((index, plan), outcome) in chunk.iter().zip(outcomes) {
                    match outcome {
                        None => {
                            count(&mut next, plan);
                            let group = plan.group();
                            run.groups.register(&group.id, &group.display_name);
                            stored.push((
                                *index,
                                group.id.clone(),
                                matches!(plan, Plan::Update(..)),
                            ));
                        }
                        Some(err) => {
                            let error = RowError::new(
                                InputFile::Groups,
                                rows[*index].line,
                                None,
                                err.to_string(),
                            );
                            run.refuse(&mut next, vec![error]);
                        }
                    }
                }
                run.checkpoint = next;
                if checkpointed {
                    run.save_checkpoint(None).await?;
                }
            }
        }
    }
    Ok(stored)
}

fn count(checkpoint: &mut crate::checkpoint::Checkpoint, plan: &Plan) {
    match plan {
        Plan::Create(_) => checkpoint.counts.groups_created += 1,
        Plan::Update(..) => checkpoint.counts.groups_updated += 1,
        Plan::Existing(_) => checkpoint.counts.groups_existing += 1,
    }
}

/// Adds each stored group to the parents its row names, unless it is a member already.
async fn add_nesting(
    run: &mut Run<'_>,
    rows: &[GroupRow],
    stored: &[(usize, GroupId, bool)],
    checkpointed: bool,
) -> Result<(), ImportError> {
    let mut lines: Vec<u64> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut refused = run.checkpoint.clone();
    for (index, child, may_have_parents) in stored {
        let row = &rows[*index];
        if row.member_of.is_empty() {
            continue;
        }
        let current = if *may_have_parents {
            run.target
                .list_member_of(&MemberRef::Group(child.clone()))
                .await?
        } else {
            Vec::new()
        };
        for reference in &row.member_of {
            let parent = match run.groups.resolve(run.target, reference).await? {
                Ok(parent) => parent,
                Err(message) => {
                    run.refuse(
                        &mut refused,
                        vec![RowError::new(
                            InputFile::Groups,
                            row.line,
                            Some("memberOf"),
                            message,
                        )],
                    );
                    continue;
                }
            };
            if current.contains(&parent) {
                continue;
            }
            let mut unit = Unit::default();
            let audit = run.audit.add_group_member(
                &parent,
                run.groups.name_of(&parent),
                child,
                &row.display_name,
            );
            unit.push(
                Change::AddMember {
                    group: parent,
                    member: MemberRef::Group(child.clone()),
                },
                audit,
            );
            lines.push(row.line);
            units.push(unit);
        }
    }
    run.checkpoint.commit_errors = refused.commit_errors;
    let chunk_size = run.options.chunk_size.max(1);
    for (chunk, chunk_lines) in units.chunks(chunk_size).zip(lines.chunks(chunk_size)) {
        let mut next = run.checkpoint.clone();
        next.counts.memberships_added += chunk.len() as u64;
        match run
            .commit_together_or_each(chunk, checkpointed.then_some(&next))
            .await?
        {
            Committed::Together => run.checkpoint = next,
            Committed::Each(outcomes) => {
                let mut next = run.checkpoint.clone();
                for (line, outcome) in chunk_lines.iter().zip(outcomes) {
                    match outcome {
                        None => next.counts.memberships_added += 1,
                        Some(err) => run.refuse(
                            &mut next,
                            vec![RowError::new(
                                InputFile::Groups,
                                *line,
                                Some("memberOf"),
                                err.to_string(),
                            )],
                        ),
                    }
                }
                run.checkpoint = next;
                if checkpointed {
                    run.save_checkpoint(None).await?;
                }
            }
        }
    }
    Ok(())
}
