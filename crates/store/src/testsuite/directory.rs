//! Users, groups, memberships, roles, applications, listing.

use std::collections::BTreeSet;

use portcullis_core::{
    Application, ApplicationId, ApplicationKind, ApplicationSecret, DirectoryRole, MemberRef,
    Principal, RoleAssignment, RoleAssignmentId, SecretId, UserType, generate_secret,
};
use uuid::Uuid;

use super::{TestBackend, application, commit, create_group, create_user, t0, user};
use crate::{
    Batch, Change, Filter, FilterValue, GroupField, ListQuery, RoleAssignmentFilter, StoreError,
    UserField,
};

/// Create, read, update and delete a user.
pub async fn users_crud(backend: &dyn TestBackend) {
    let store = backend.store();
    let mut ada = create_user(&*store, "ada@example.com", "Ada Lovelace").await;
    assert_eq!(store.get_user(&ada.id).await.unwrap(), ada);

    ada.display_name = "Ada King".into();
    ada.account_enabled = false;
    ada.attributes
        .insert("department".into(), "Engineering".into());
    commit(&*store, Change::UpdateUser(ada.clone())).await;
    assert_eq!(store.get_user(&ada.id).await.unwrap(), ada);

    commit(&*store, Change::DeleteUser(ada.id.clone())).await;
    assert!(matches!(
        store.get_user(&ada.id).await,
        Err(StoreError::NotFound(_))
    ));
    let again = store
        .commit(Batch::single(
            Change::DeleteUser(ada.id.clone()),
            super::audit("x", "y"),
        ))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");
    let missing = store
        .commit(Batch::new().change(Change::UpdateUser(ada.clone())))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

/// A second user with the same userPrincipalName in another case is a conflict.
pub async fn upn_is_unique_case_insensitively(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let clash = user("ADA@Example.com", "Other Ada");
    let err = store
        .commit(Batch::new().change(Change::CreateUser(clash)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("ADA@Example.com"), "{err}");

    // Renaming another user onto the name conflicts too.
    let mut grace = create_user(&*store, "grace@example.com", "Grace").await;
    grace.user_principal_name = "Ada@example.com".into();
    let err = store
        .commit(Batch::new().change(Change::UpdateUser(grace)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.count_users(None).await.unwrap(), 2);
    assert_eq!(
        store.get_user(&ada.id).await.unwrap().user_principal_name,
        "ada@example.com"
    );
}

pub async fn user_lookup_by_upn_ignores_case(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "Ada@Example.com", "Ada").await;
    assert_eq!(
        store.find_user_by_upn("ada@EXAMPLE.com").await.unwrap(),
        Some(ada)
    );
    assert_eq!(
        store.find_user_by_upn("nobody@example.com").await.unwrap(),
        None
    );
}

pub async fn groups_and_direct_membership(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let grace = create_user(&*store, "grace@example.com", "Grace").await;
    let mut staff = create_group(&*store, "Staff").await;
    let admins = create_group(&*store, "Admins").await;
    for member in [
        MemberRef::User(ada.id.clone()),
        MemberRef::User(grace.id.clone()),
        MemberRef::Group(admins.id.clone()),
    ] {
        commit(
            &*store,
            Change::AddMember {
                group: staff.id.clone(),
                member,
            },
        )
        .await;
    }
    let members = store.list_members(&staff.id).await.unwrap();
    assert_eq!(members.len(), 3);
    assert!(
        matches!(members[0], MemberRef::User(_)) && matches!(members[2], MemberRef::Group(_)),
        "{members:?}"
    );
    assert_eq!(
        store
            .list_member_of(&MemberRef::User(ada.id.clone()))
            .await
            .unwrap(),
        vec![staff.id.clone()]
    );
    assert_eq!(
        store
            .list_member_of(&MemberRef::Group(admins.id.clone()))
            .await
            .unwrap(),
        vec![staff.id.clone()]
    );

    let dup = store
        .commit(Batch::new().change(Change::AddMember {
            group: staff.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        }))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    let unknown = store
        .commit(Batch::new().change(Change::AddMember {
            group: staff.id.clone(),
            member: MemberRef::User(super::user_id()),
        }))
        .await
        .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound(_)), "{unknown:?}");

    commit(
        &*store,
        Change::RemoveMember {
            group: staff.id.clone(),
            member: MemberRef::User(grace.id.clone()),
        },
    )
    .await;
    assert_eq!(store.list_members(&staff.id).await.unwrap().len(), 2);
    let gone = store
        .commit(Batch::new().change(Change::RemoveMember {
            group: staff.id.clone(),
            member: MemberRef::User(grace.id.clone()),
        }))
        .await
        .unwrap_err();
    assert!(matches!(gone, StoreError::NotFound(_)), "{gone:?}");

    staff.description = Some("Everyone".into());
    commit(&*store, Change::UpdateGroup(staff.clone())).await;
    assert_eq!(store.get_group(&staff.id).await.unwrap(), staff);
    commit(&*store, Change::DeleteGroup(admins.id.clone())).await;
    assert_eq!(
        store.list_members(&staff.id).await.unwrap(),
        vec![MemberRef::User(ada.id.clone())]
    );
    assert!(matches!(
        store.list_members(&admins.id).await,
        Err(StoreError::NotFound(_))
    ));
}

/// g1 ⊃ g2 ⊃ g3 ⊃ g4 ⊃ g5 ∋ user: the user is in all five; g1 holds all.
pub async fn transitive_membership_five_deep(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut chain = Vec::new();
    for level in 1..=5 {
        chain.push(create_group(&*store, &format!("level {level}")).await);
    }
    for pair in chain.windows(2) {
        commit(
            &*store,
            Change::AddMember {
                group: pair[0].id.clone(),
                member: MemberRef::Group(pair[1].id.clone()),
            },
        )
        .await;
    }
    commit(
        &*store,
        Change::AddMember {
            group: chain[4].id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;

    let mut expected: Vec<_> = chain.iter().map(|g| g.id.clone()).collect();
    expected.sort();
    assert_eq!(
        store.transitive_groups_of_user(&ada.id).await.unwrap(),
        expected
    );

    let below = store.transitive_members(&chain[0].id).await.unwrap();
    assert_eq!(below.users, vec![ada.id.clone()]);
    let mut groups: Vec<_> = chain[1..].iter().map(|g| g.id.clone()).collect();
    groups.sort();
    assert_eq!(below.groups, groups);
    let leaf = store.transitive_members(&chain[4].id).await.unwrap();
    assert_eq!((leaf.users.len(), leaf.groups.len()), (1, 0));
}

/// top ⊃ left, right; left ⊃ bottom; right ⊃ bottom; bottom ∋ user: no duplicates.
pub async fn transitive_membership_diamond(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let top = create_group(&*store, "top").await;
    let left = create_group(&*store, "left").await;
    let right = create_group(&*store, "right").await;
    let bottom = create_group(&*store, "bottom").await;
    for (parent, child) in [
        (&top, &left),
        (&top, &right),
        (&left, &bottom),
        (&right, &bottom),
    ] {
        commit(
            &*store,
            Change::AddMember {
                group: parent.id.clone(),
                member: MemberRef::Group(child.id.clone()),
            },
        )
        .await;
    }
    commit(
        &*store,
        Change::AddMember {
            group: bottom.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;
    commit(
        &*store,
        Change::AddMember {
            group: top.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;

    let groups: BTreeSet<_> = store
        .transitive_groups_of_user(&ada.id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        groups,
        [&top, &left, &right, &bottom]
            .iter()
            .map(|g| g.id.clone())
            .collect()
    );
    assert_eq!(
        store
            .transitive_groups_of_user(&ada.id)
            .await
            .unwrap()
            .len(),
        4
    );
    let below = store.transitive_members(&top.id).await.unwrap();
    assert_eq!(below.users, vec![ada.id.clone()]);
    assert_eq!(below.groups.len(), 3);
}

/// Self-membership and longer cycles are refused; the refused change leaves nothing.
pub async fn membership_cycles_are_refused(backend: &dyn TestBackend) {
    let store = backend.store();
    let a = create_group(&*store, "a").await;
    let b = create_group(&*store, "b").await;
    let c = create_group(&*store, "c").await;
    commit(
        &*store,
        Change::AddMember {
            group: a.id.clone(),
            member: MemberRef::Group(b.id.clone()),
        },
    )
    .await;
    commit(
        &*store,
        Change::AddMember {
            group: b.id.clone(),
            member: MemberRef::Group(c.id.clone()),
        },
    )
    .await;
    let head = store.audit_chain_head().await.unwrap();

    for (group, member) in [(&a, &a), (&c, &a), (&b, &a), (&c, &b)] {
        let err = store
            .commit(Batch::single(
                Change::AddMember {
                    group: group.id.clone(),
                    member: MemberRef::Group(member.id.clone()),
                },
                super::audit("Add member to group", group.id.as_str()),
            ))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{} into {}: {err:?}",
            member.display_name,
            group.display_name
        );
        assert!(
            err.to_string().contains("cycle") || err.to_string().contains("itself"),
            "{err}"
        );
    }
    assert_eq!(
        store.audit_chain_head().await.unwrap(),
        head,
        "refused changes must not be audited as done"
    );
    assert!(store.list_members(&c.id).await.unwrap().is_empty());
    // A non-cyclic shortcut is fine.
    commit(
        &*store,
        Change::AddMember {
            group: a.id.clone(),
            member: MemberRef::Group(c.id.clone()),
        },
    )
    .await;
}

fn assignment(principal: Principal, role: DirectoryRole) -> RoleAssignment {
    RoleAssignment {
        id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
        principal,
        role,
        directory_scope_id: "/".into(),
        created_date_time: t0(),
    }
}

pub async fn role_assignments_and_effective_roles(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut admins = super::group("Admins");
    admins.is_assignable_to_role = true;
    commit(&*store, Change::CreateGroup(admins.clone())).await;
    let inner = create_group(&*store, "Inner").await;
    commit(
        &*store,
        Change::AddMember {
            group: admins.id.clone(),
            member: MemberRef::Group(inner.id.clone()),
        },
    )
    .await;
    commit(
        &*store,
        Change::AddMember {
            group: inner.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;

    let direct = assignment(
        Principal::User(ada.id.clone()),
        DirectoryRole::HelpdeskAdministrator,
    );
    commit(&*store, Change::AssignRole(direct.clone())).await;
    commit(
        &*store,
        Change::AssignRole(assignment(
            Principal::Group(admins.id.clone()),
            DirectoryRole::SecurityReader,
        )),
    )
    .await;
    let dup = store
        .commit(Batch::new().change(Change::AssignRole(assignment(
            Principal::User(ada.id.clone()),
            DirectoryRole::HelpdeskAdministrator,
        ))))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    let nobody = store
        .commit(Batch::new().change(Change::AssignRole(assignment(
            Principal::User(super::user_id()),
            DirectoryRole::GlobalReader,
        ))))
        .await
        .unwrap_err();
    assert!(matches!(nobody, StoreError::NotFound(_)), "{nobody:?}");

    let mut roles = store.effective_roles_of_user(&ada.id).await.unwrap();
    roles.sort();
    assert_eq!(
        roles,
        vec![
            DirectoryRole::HelpdeskAdministrator,
            DirectoryRole::SecurityReader
        ]
    );
    let listed = store
        .list_role_assignments(&RoleAssignmentFilter {
            principal: Some(Principal::User(ada.id.clone())),
            role: None,
        })
        .await
        .unwrap();
    assert_eq!(listed, vec![direct.clone()]);
    let readers = store
        .list_role_assignments(&RoleAssignmentFilter {
            principal: None,
            role: Some(DirectoryRole::SecurityReader),
        })
        .await
        .unwrap();
    assert_eq!(readers.len(), 1);
    assert_eq!(
        store
            .list_role_assignments(&RoleAssignmentFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );

    commit(&*store, Change::UnassignRole(direct.id.clone())).await;
    assert_eq!(
        store.effective_roles_of_user(&ada.id).await.unwrap(),
        vec![DirectoryRole::SecurityReader]
    );
    commit(
        &*store,
        Change::RemoveMember {
            group: inner.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;
    assert!(
        store
            .effective_roles_of_user(&ada.id)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn applications_and_secrets(backend: &dyn TestBackend) {
    let store = backend.store();
    let mut app = Application {
        granted_permissions: vec![portcullis_core::AppPermission::UserReadWriteAll],
        settings: serde_json::json!({}),
        ..application("Automation", ApplicationKind::Automation)
    };
    commit(&*store, Change::CreateApplication(app.clone())).await;
    assert_eq!(store.get_application(&app.id).await.unwrap(), app);
    assert_eq!(
        store
            .find_application_by_client_id(&app.app_id)
            .await
            .unwrap(),
        Some(app.clone())
    );

    let mut clash = app.clone();
    clash.id = ApplicationId::from_uuid(Uuid::new_v4());
    let err = store
        .commit(Batch::new().change(Change::CreateApplication(clash)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    let generated = generate_secret("pcs_", [9; 32]);
    let secret = ApplicationSecret {
        key_id: SecretId::from_uuid(Uuid::new_v4()),
        application_id: app.id.clone(),
        display_name: "ci".into(),
        hint: generated.hint.clone(),
        secret_hash: generated.hash.clone(),
        start_date_time: t0(),
        end_date_time: None,
    };
    commit(&*store, Change::AddApplicationSecret(secret.clone())).await;
    let stored = store.list_application_secrets(&app.id).await.unwrap();
    assert_eq!(stored, vec![secret.clone()]);
    assert!(stored[0].accepts(&generated.plaintext, t0()));

    app.redirect_uris.push("https://app.example.com/cb".into());
    commit(&*store, Change::UpdateApplication(app.clone())).await;
    assert_eq!(store.list_applications().await.unwrap(), vec![app.clone()]);
    commit(
        &*store,
        Change::AssignRole(assignment(
            Principal::Application(app.id.clone()),
            DirectoryRole::GlobalReader,
        )),
    )
    .await;
    assert_eq!(
        store.roles_of_application(&app.id).await.unwrap(),
        vec![DirectoryRole::GlobalReader]
    );

    commit(
        &*store,
        Change::RemoveApplicationSecret {
            application: app.id.clone(),
            key_id: secret.key_id.clone(),
        },
    )
    .await;
    assert!(
        store
            .list_application_secrets(&app.id)
            .await
            .unwrap()
            .is_empty()
    );
    commit(&*store, Change::DeleteApplication(app.id.clone())).await;
    assert!(matches!(
        store.get_application(&app.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        store
            .roles_of_application(&app.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn seed_users(store: &dyn crate::Store, n: usize) -> Vec<portcullis_core::User> {
    let mut batch = Batch::new();
    let mut users = Vec::new();
    for i in 0..n {
        let mut u = user(
            &format!("user{i:03}@example.com"),
            &format!("User {:03}", (i * 7) % n),
        );
        u.created_date_time = t0() + time::Duration::seconds(i as i64);
        if i % 3 == 0 {
            u.user_type = UserType::Guest;
        }
        if i % 5 == 0 {
            u.account_enabled = false;
            u.mail = None;
        }
        batch = batch.change(Change::CreateUser(u.clone()));
        users.push(u);
    }
    store
        .commit(batch.audit(super::audit("Bulk import", "users")))
        .await
        .unwrap();
    users
}

/// Paging by id, by display name both ways and by creation time returns every user once,
/// in order, also when users are added between pages.
pub async fn user_paging_visits_every_user_once(backend: &dyn TestBackend) {
    let store = backend.store();
    let users = seed_users(&*store, 57).await;
    let orders: [Option<(UserField, bool)>; 4] = [
        None,
        Some((UserField::DisplayName, false)),
        Some((UserField::DisplayName, true)),
        Some((UserField::CreatedDateTime, true)),
    ];
    for order in orders {
        let mut seen = Vec::new();
        let mut query = ListQuery::first(10);
        if let Some((field, desc)) = order {
            query = query.ordered(field, desc);
        }
        let mut pages = 0;
        loop {
            let page = store.list_users(&query).await.unwrap();
            pages += 1;
            assert!(page.items.len() <= 10);
            seen.extend(page.items);
            match page.next {
                Some(next) => query = query.after(Some(next)),
                None => break,
            }
            assert!(pages < 20, "paging does not terminate");
        }
        assert_eq!(seen.len(), users.len(), "order {order:?}");
        let ids: BTreeSet<_> = seen.iter().map(|u| u.id.clone()).collect();
        assert_eq!(ids.len(), users.len(), "duplicates with order {order:?}");
        let keys: Vec<String> = seen
            .iter()
            .map(|u| match order {
                None => u.id.to_string(),
                Some((UserField::DisplayName, _)) => {
                    format!("{}|{}", u.display_name.to_lowercase(), u.id)
                }
                _ => format!("{:020}|{}", u.created_date_time.unix_timestamp(), u.id),
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        if matches!(order, Some((_, true))) {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "order {order:?}");
    }
    // Exactly one full page has no next link.
    let all = store.list_users(&ListQuery::first(57)).await.unwrap();
    assert_eq!((all.items.len(), all.next.is_none()), (57, true));
    // A page size above the maximum is capped, zero becomes one.
    assert_eq!(
        store
            .list_users(&ListQuery::first(0))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

pub async fn user_filters(backend: &dyn TestBackend) {
    let store = backend.store();
    let users = seed_users(&*store, 30).await;
    let count = |f: Filter<UserField>| {
        let store = store.clone();
        async move {
            let page = store
                .list_users(&ListQuery::first(1000).filtered(f.clone()))
                .await
                .unwrap();
            assert_eq!(
                store.count_users(Some(&f)).await.unwrap(),
                page.items.len() as u64
            );
            page.items
        }
    };
    let guests = count(Filter::Eq(
        UserField::UserType,
        FilterValue::Text("Guest".into()),
    ))
    .await;
    assert_eq!(
        guests.len(),
        users
            .iter()
            .filter(|u| u.user_type == UserType::Guest)
            .count()
    );
    assert!(guests.iter().all(|u| u.user_type == UserType::Guest));

    let disabled = count(Filter::Eq(
        UserField::AccountEnabled,
        FilterValue::Bool(false),
    ))
    .await;
    assert_eq!(disabled.len(), 6);
    let enabled_guests = count(
        Filter::Eq(UserField::UserType, FilterValue::Text("guest".into())).and(Filter::Ne(
            UserField::AccountEnabled,
            FilterValue::Bool(false),
        )),
    )
    .await;
    assert_eq!(
        enabled_guests.len(),
        users
            .iter()
            .filter(|u| u.user_type == UserType::Guest && u.account_enabled)
            .count()
    );

    let one = count(Filter::Eq(
        UserField::UserPrincipalName,
        FilterValue::Text("USER007@example.COM".into()),
    ))
    .await;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].user_principal_name, "user007@example.com");
    let either = count(
        Filter::Eq(
            UserField::UserPrincipalName,
            FilterValue::Text("user001@example.com".into()),
        )
        .or(Filter::Eq(
            UserField::UserPrincipalName,
            FilterValue::Text("user002@example.com".into()),
        )),
    )
    .await;
    assert_eq!(either.len(), 2);

    let prefix = count(Filter::StartsWith(UserField::DisplayName, "user 01".into())).await;
    assert_eq!(prefix.len(), 10, "User 010..User 019");
    let no_mail = count(Filter::Eq(UserField::Mail, FilterValue::Null)).await;
    assert_eq!(no_mail.len(), 6);
    let not_this = count(Filter::Ne(
        UserField::Mail,
        FilterValue::Text("user001@example.com".into()),
    ))
    .await;
    assert_eq!(not_this.len(), 29, "users without mail count as not equal");
    // A value with SQL in it is just a value.
    let inject = count(Filter::Eq(
        UserField::DisplayName,
        FilterValue::Text("x' OR '1'='1".into()),
    ))
    .await;
    assert!(inject.is_empty());
    assert_eq!(store.count_users(None).await.unwrap(), 30);
}

pub async fn group_paging_and_filters(backend: &dyn TestBackend) {
    let store = backend.store();
    let mut batch = Batch::new();
    for i in 0..25 {
        let mut g = super::group(&format!("Team {i:02}"));
        g.is_assignable_to_role = i % 2 == 0;
        g.mail_nickname = Some(format!("team{i:02}"));
        batch = batch.change(Change::CreateGroup(g));
    }
    store.commit(batch).await.unwrap();
    let mut query = ListQuery::first(7).ordered(GroupField::DisplayName, false);
    let mut names = Vec::new();
    loop {
        let page = store.list_groups(&query).await.unwrap();
        names.extend(page.items.into_iter().map(|g| g.display_name));
        match page.next {
            Some(next) => query = query.after(Some(next)),
            None => break,
        }
    }
    let expected: Vec<_> = (0..25).map(|i| format!("Team {i:02}")).collect();
    assert_eq!(names, expected);
    let assignable = store
        .list_groups(&ListQuery::first(100).filtered(Filter::Eq(
            GroupField::IsAssignableToRole,
            FilterValue::Bool(true),
        )))
        .await
        .unwrap();
    assert_eq!(assignable.items.len(), 13);
    let nick = store
        .list_groups(
            &ListQuery::first(100)
                .filtered(Filter::StartsWith(GroupField::MailNickname, "TEAM1".into())),
        )
        .await
        .unwrap();
    assert_eq!(nick.items.len(), 10);
}

pub async fn bad_filters_and_cursors_are_invalid(backend: &dyn TestBackend) {
    let store = backend.store();
    seed_users(&*store, 3).await;
    let bad_value = ListQuery::first(10).filtered(Filter::Eq(
        UserField::AccountEnabled,
        FilterValue::Text("yes".into()),
    ));
    assert!(matches!(
        store.list_users(&bad_value).await,
        Err(StoreError::Invalid(_))
    ));
    let bad_startswith =
        ListQuery::first(10).filtered(Filter::StartsWith(UserField::CreatedDateTime, "1".into()));
    assert!(matches!(
        store.list_users(&bad_startswith).await,
        Err(StoreError::Invalid(_))
    ));
    let unsortable = ListQuery::first(10).ordered(UserField::Mail, false);
    assert!(matches!(
        store.list_users(&unsortable).await,
        Err(StoreError::Invalid(_))
    ));
    let garbage = ListQuery::first(10).after(Some(crate::Cursor::from_token("not-a-cursor")));
    assert!(matches!(
        store.list_users(&garbage).await,
        Err(StoreError::Invalid(_))
    ));
    // A cursor from an id-ordered listing does not fit a name-ordered one.
    let first = store.list_users(&ListQuery::first(1)).await.unwrap();
    let mismatched = ListQuery::first(1)
        .ordered(UserField::DisplayName, false)
        .after(first.next);
    assert!(matches!(
        store.list_users(&mismatched).await,
        Err(StoreError::Invalid(_))
    ));
}

/// Deleting a user removes memberships, role assignments, credentials and sessions.
pub async fn delete_user_cascades(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let staff = create_group(&*store, "Staff").await;
    commit(
        &*store,
        Change::AddMember {
            group: staff.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;
    commit(
        &*store,
        Change::AssignRole(assignment(
            Principal::User(ada.id.clone()),
            DirectoryRole::GlobalReader,
        )),
    )
    .await;
    let credential = super::security::credential(&ada.id);
    commit(&*store, Change::AddCredential(credential.clone())).await;
    let session = super::security::session(&ada.id, "cookie-1");
    store.create_session(&session).await.unwrap();

    commit(&*store, Change::DeleteUser(ada.id.clone())).await;
    assert!(store.list_members(&staff.id).await.unwrap().is_empty());
    assert!(
        store
            .list_role_assignments(&RoleAssignmentFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.get_credential(&credential.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.get_session(&session.id).await,
        Err(StoreError::NotFound(_))
    ));
    // The name is free again.
    create_user(&*store, "ada@example.com", "Ada again").await;
}

/// `startswith` answers exactly the names with that prefix, whatever the characters
/// around the prefix's end (punctuation that a locale collation would ignore, accents,
/// the last code point): the index range in front of the exact test must never drop a
/// match, and must sort by bytes on both backends.
pub async fn startswith_prefix_edges(backend: &dyn TestBackend) {
    let store = backend.store();
    let names = [
        "Ad",
        "Ad-min",
        "Ad min",
        "Adé",
        "Adz",
        "Ad\u{10FFFF}x",
        "Ae",
        "Ac",
        "AD",
        "Ädam",
        "Zoë",
        "é",
        "ê",
        "\u{10FFFF}",
    ];
    let mut batch = Batch::new();
    for (i, name) in names.iter().enumerate() {
        batch = batch.change(Change::CreateUser(user(&format!("p{i}@example.com"), name)));
    }
    store
        .commit(batch.audit(super::audit("Bulk import", "users")))
        .await
        .unwrap();
    for prefix in [
        "ad",
        "AD",
        "ad-",
        "adé",
        "ad\u{10FFFF}",
        "é",
        "\u{10FFFF}",
        "zo",
        "q",
    ] {
        let filter = Filter::StartsWith(UserField::DisplayName, prefix.into());
        let mut found: Vec<String> = store
            .list_users(&ListQuery::first(100).filtered(filter.clone()))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|u| u.display_name)
            .collect();
        found.sort();
        let folded = prefix.to_lowercase();
        let mut expected: Vec<String> = names
            .iter()
            .filter(|n| n.to_lowercase().starts_with(&folded))
            .map(|n| n.to_string())
            .collect();
        expected.sort();
        assert_eq!(found, expected, "startswith({prefix:?})");
        assert_eq!(
            store.count_users(Some(&filter)).await.unwrap(),
            expected.len() as u64
        );
    }
}
