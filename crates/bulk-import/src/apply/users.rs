//! The users phase, one chunk at a time: each chunk's new users, their memberships,
//! the audit records and the advanced checkpoint commit in one transaction.
//!
//! Without `--update`, rows are first committed optimistically (no lookups: the fast
//! path for a fresh directory); only when the store refuses the chunk are the chunk's
//! userPrincipalNames looked up, so users that exist are skipped and the rest retried.

use portcullis_core::audit::ModifiedProperty;
use portcullis_core::{GroupId, MemberRef, User, UserId, UserType};
use portcullis_store::Change;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Committed, Run, Unit, is_row_level};
use crate::checkpoint::Checkpoint;
use crate::error::ImportError;
use crate::row::{InputFile, RowError, UserRow};

enum Action {
    Create(User),
    /// A user that exists; `change` is `None` when its properties stay as they are.
    Update {
        change: Option<(User, Vec<ModifiedProperty>)>,
        user: UserId,
    },
    /// Exists, left alone (no `--update`).
    Skip,
}

struct Planned {
    row: UserRow,
    groups: Vec<GroupId>,
    action: Action,
}

/// Applies one chunk of valid rows; `last_row`/`last_line` is the last record the
/// chunk covers (bad records included), recorded in the checkpoint.
pub(crate) async fn apply_user_chunk(
    run: &mut Run<'_>,
    rows: Vec<UserRow>,
    last_row: u64,
    last_line: u64,
) -> Result<(), ImportError> {
    let mut next = run.checkpoint.clone();
    next.last_row = last_row;
    next.last_line = last_line;
    let mut planned = Vec::with_capacity(rows.len());
    for row in rows {
        let mut groups = Vec::with_capacity(row.groups.len());
        let mut errors = Vec::new();
        for reference in &row.groups {
            match run.groups.resolve(run.target, reference).await? {
                Ok(id) => groups.push(id),
                Err(message) => errors.push(RowError::new(
                    InputFile::Users,
                    row.line,
                    Some("groups"),
                    message,
                )),
            }
        }
        if errors.is_empty() {
            let action = Action::Create(new_user(&row));
            planned.push(Planned {
                row,
                groups,
                action,
            });
        } else {
            run.refuse(&mut next, errors);
        }
    }
    if run.options.update {
        planned = look_up(run, planned, &mut next).await?;
    } else {
        let units = units(run, &planned);
        let mut attempt = next.clone();
        for p in &planned {
            count(&mut attempt, p);
        }
        match run
            .commit_units(units.iter().map(|(_, unit)| unit), Some(&attempt))
            .await
        {
            Ok(()) => {
                run.checkpoint = attempt;
                return Ok(());
            }
            Err(err) if is_row_level(&err) => planned = look_up(run, planned, &mut next).await?,
            Err(err) => return Err(err.into()),
        }
    }
    let units = units(run, &planned);
    let mut attempt = next.clone();
    for p in &planned {
        count(&mut attempt, p);
    }
    let only_units: Vec<Unit> = units.into_iter().map(|(_, unit)| unit).collect();
    match run
        .commit_together_or_each(&only_units, Some(&attempt))
        .await?
    {
        Committed::Together => run.checkpoint = attempt,
        Committed::Each(outcomes) => {
            let with_units: Vec<&Planned> = planned.iter().filter(|p| has_unit(p)).collect();
            for p in planned.iter().filter(|p| !has_unit(p)) {
                count(&mut next, p);
            }
            for (p, outcome) in with_units.into_iter().zip(outcomes) {
                match outcome {
                    None => count(&mut next, p),
                    Some(err) => run.refuse(
                        &mut next,
                        vec![RowError::new(
                            InputFile::Users,
                            p.row.line,
                            None,
                            err.to_string(),
                        )],
                    ),
                }
            }
            run.checkpoint = next;
            run.save_checkpoint(None).await?;
        }
    }
    Ok(())
}

fn new_user(row: &UserRow) -> User {
    User {
        id: row
            .id
            .clone()
            .unwrap_or_else(|| UserId::from_uuid(Uuid::new_v4())),
        user_principal_name: row.user_principal_name.clone(),
        display_name: row.display_name.clone(),
        mail: row.mail.clone(),
        mobile_phone: row.mobile_phone.clone(),
        user_type: row.user_type.unwrap_or(UserType::Member),
        account_enabled: row.account_enabled.unwrap_or(true),
        created_date_time: OffsetDateTime::now_utc(),
        attributes: row.attributes.clone(),
    }
}

/// Finds which rows name users that exist, and turns those into skips or updates.
async fn look_up(
    run: &mut Run<'_>,
    planned: Vec<Planned>,
    next: &mut Checkpoint,
) -> Result<Vec<Planned>, ImportError> {
    let mut out = Vec::with_capacity(planned.len());
    for mut p in planned {
        let Some(existing) = run
            .target
            .find_user_by_upn(&p.row.user_principal_name)
            .await?
        else {
            out.push(p);
            continue;
        };
        if p.row.id.as_ref().is_some_and(|id| *id != existing.id) {
            let message = format!(
                "{} belongs to the existing user {}, not to the row's id",
                p.row.user_principal_name, existing.id
            );
            run.refuse(
                next,
                vec![RowError::new(
                    InputFile::Users,
                    p.row.line,
                    Some("id"),
                    message,
                )],
            );
            continue;
        }
        if !run.options.update {
            p.action = Action::Skip;
            out.push(p);
            continue;
        }
        let current = run
            .target
            .list_member_of(&MemberRef::User(existing.id.clone()))
            .await?;
        p.groups.retain(|g| !current.contains(g));
        let (user, modified) = updated(&existing, &p.row);
        p.action = Action::Update {
            user: existing.id.clone(),
            change: (!modified.is_empty()).then_some((user, modified)),
        };
        out.push(p);
    }
    Ok(out)
}

/// The existing user with the row's values; absent cells keep the stored values.
fn updated(old: &User, row: &UserRow) -> (User, Vec<ModifiedProperty>) {
    let mut user = old.clone();
    user.user_principal_name = row.user_principal_name.clone();
    user.display_name = row.display_name.clone();
    if row.mail.is_some() {
        user.mail = row.mail.clone();
    }
    if row.mobile_phone.is_some() {
        user.mobile_phone = row.mobile_phone.clone();
    }
    if let Some(user_type) = row.user_type {
        user.user_type = user_type;
    }
    if let Some(enabled) = row.account_enabled {
        user.account_enabled = enabled;
    }
    let mut modified = Vec::new();
    for (key, value) in &row.attributes {
        let before = user.attributes.insert(key.clone(), value.clone());
        ModifiedProperty::push_if_changed(
            &mut modified,
            key,
            before.map(|v| v.to_string()),
            Some(value.to_string()),
        );
    }
    modified.extend(user.changes_since(old));
    (user, modified)
}

fn has_unit(p: &Planned) -> bool {
    match &p.action {
        Action::Create(_) => true,
        Action::Update { change, .. } => change.is_some() || !p.groups.is_empty(),
        Action::Skip => false,
    }
}

/// The unit of every row that writes something, with its index in `planned`.
fn units(run: &Run<'_>, planned: &[Planned]) -> Vec<(usize, Unit)> {
    let mut out = Vec::with_capacity(planned.len());
    for (index, p) in planned.iter().enumerate() {
        if !has_unit(p) {
            continue;
        }
        let mut unit = Unit::default();
        let user_id = match &p.action {
            Action::Create(user) => {
                unit.push(Change::CreateUser(user.clone()), run.audit.add_user(user));
                &user.id
            }
            Action::Update { change, user } => {
                if let Some((new, modified)) = change {
                    unit.push(
                        Change::UpdateUser(new.clone()),
                        run.audit.update_user(new, modified.clone()),
                    );
                }
                user
            }
            Action::Skip => continue,
        };
        for group in &p.groups {
            let audit = run
                .audit
                .add_user_member(group, run.groups.name_of(group), user_id);
            unit.push(
                Change::AddMember {
                    group: group.clone(),
                    member: MemberRef::User(user_id.clone()),
                },
                audit,
            );
        }
        out.push((index, unit));
    }
    out
}

fn count(checkpoint: &mut Checkpoint, p: &Planned) {
    let counts = &mut checkpoint.counts;
    match &p.action {
        Action::Create(_) => counts.users_created += 1,
        Action::Update {
            change: Some(_), ..
        } => counts.users_updated += 1,
        Action::Update { change: None, .. } => counts.users_unchanged += 1,
        Action::Skip => {
            counts.users_skipped += 1;
            return;
        }
    }
    counts.memberships_added += p.groups.len() as u64;
}
