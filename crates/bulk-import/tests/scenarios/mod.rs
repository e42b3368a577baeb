//! Import scenarios, each run against a fresh store of every backend (see `sqlite.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod support;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use portcullis_bulk_import::{
    ImportError, ImportOptions, ImportSource, InputFile, NoProgress, Outcome, ResumeMode,
    StopSignal, import_into, import_users,
};
use portcullis_core::audit::InitiatedBy;
use portcullis_core::audit::{AuditResult, TargetResource};
use portcullis_core::{AuditId, AuditRecord, MemberRef, UserType};
use portcullis_store::{Batch, Change, Store};
use support::{FailingAfter, StopAfter, activities, users_csv, verified_audit, write};
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn good_csv_imports_every_user_audited(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let users = write(
        dir.path(),
        "users.csv",
        "userPrincipalName,displayName,mail,mobilePhone,userType,accountEnabled,jobTitle\n\
         ada@example.com,Ada Lovelace,ada@example.com,+44 20 1234,member,true,Analyst\n\
         grace@example.com,\"Hopper, Grace\",,,Guest,FALSE,\n\
         alan@example.com,Alan Turing,,,,,\n",
    );
    let options = ImportOptions {
        initiated_by: portcullis_bulk_import::cli_initiator("test importer"),
        ..ImportOptions::default()
    };
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        options,
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.counts.users_created, 3);
    assert_eq!(report.rows_read, 3);
    assert_eq!(store.count_users(None).await.unwrap(), 3);

    let ada = store
        .find_user_by_upn("ADA@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert_eq!(ada.mail.as_deref(), Some("ada@example.com"));
    assert_eq!(ada.mobile_phone.as_deref(), Some("+44 20 1234"));
    assert_eq!(ada.attributes["jobTitle"], "Analyst");
    assert!(ada.account_enabled);
    let grace = store
        .find_user_by_upn("grace@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grace.display_name, "Hopper, Grace");
    assert_eq!(grace.user_type, UserType::Guest);
    assert!(!grace.account_enabled);
    let alan = store
        .find_user_by_upn("alan@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alan.user_type, UserType::Member, "member by default");
    assert!(alan.account_enabled, "enabled by default");

    let audit = verified_audit(&store).await;
    assert_eq!(activities(&audit, "Add user"), 3);
    assert_eq!(activities(&audit, "Bulk create users - started (bulk)"), 1);
    assert_eq!(activities(&audit, "Bulk create users - finished (bulk)"), 1);
    let add_ada = audit
        .iter()
        .find(|r| {
            r.activity_display_name == "Add user" && r.target_resources[0].id == ada.id.as_str()
        })
        .expect("an Add user record for ada");
    assert_eq!(add_ada.category, "UserManagement");
    assert_eq!(add_ada.operation_type, "Add");
    assert_eq!(add_ada.result, AuditResult::Success);
    assert_eq!(
        add_ada.target_resources[0].user_principal_name.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        add_ada
            .initiated_by
            .app
            .as_ref()
            .unwrap()
            .display_name
            .as_deref(),
        Some("test importer")
    );
    assert!(
        audit
            .iter()
            .all(|r| r.correlation_id.as_ref() == Some(&report.correlation_id))
    );
}

pub async fn bad_rows_are_reported_and_good_rows_land(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut content = b"userPrincipalName,displayName,userType,accountEnabled\n".to_vec();
    content.extend_from_slice(b"good1@example.com,Good One,member,true\n"); // line 2
    content.extend_from_slice(b"not-an-upn,Bad Upn,member,true\n"); // line 3
    content.extend_from_slice(b"good2@example.com,Good Two,guest,\n"); // line 4
    content.extend_from_slice(b"bad4@example.com,Bad Type,admin,perhaps\n"); // line 5
    content.extend_from_slice(b"bad5@example.com,Too Few Cells\n"); // line 6
    content.extend_from_slice(b"bad6@example.com,Bad \xff\xfe Bytes,member,true\n"); // line 7
    content.extend_from_slice(b"bad7@example.com,,member,true\n"); // line 8
    content.extend_from_slice(b"good3@example.com,Good Three,,\n"); // line 9
    let users = write(dir.path(), "users.csv", content);
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(report.counts.users_created, 3);
    assert_eq!(report.failed_rows, 5);
    let seen: Vec<(u64, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (3, Some("userPrincipalName")),
            (5, Some("userType")),
            (5, Some("accountEnabled")),
            (6, None),
            (7, Some("displayName")),
            (8, Some("displayName")),
        ]
    );
    assert!(report.errors.iter().all(|e| e.file == InputFile::Users));
    assert!(
        report.errors[0].message.contains("not-an-upn"),
        "{}",
        report.errors[0].message
    );
    assert!(
        report.errors[3]
            .message
            .contains("2 cells but the header has 4"),
        "{}",
        report.errors[3].message
    );
    for upn in [
        "good1@example.com",
        "good2@example.com",
        "good3@example.com",
    ] {
        assert!(
            store.find_user_by_upn(upn).await.unwrap().is_some(),
            "{upn} landed"
        );
    }
    assert_eq!(store.count_users(None).await.unwrap(), 3);
    let text = report.to_text();
    assert!(
        text.contains("users file, line 5, userType: \"admin\" is not a userType"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["errors"][0]["line"], 3);
    assert_eq!(json["outcome"]["status"], "completed");
}

pub async fn duplicates_in_file_and_store(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    // One user exists before the import.
    let first = write(
        dir.path(),
        "first.csv",
        "userPrincipalName,displayName\nada@example.com,Ada\n",
    );
    import_users(
        store.clone(),
        ImportSource::users(&first),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    let ada_before = store
        .find_user_by_upn("ada@example.com")
        .await
        .unwrap()
        .unwrap();

    let users = write(
        dir.path(),
        "users.csv",
        "userPrincipalName,displayName,department\n\
         bob@example.com,Bob,Sales\n\
         ADA@example.com,Ada Lovelace,Research\n\
         Bob@Example.com,Bob Again,Sales\n\
         carol@example.com,Carol,Sales\n",
    );
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.users_created, 2, "bob and carol");
    assert_eq!(report.counts.users_skipped, 1, "ada exists");
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 4);
    assert!(
        report.errors[0].message.contains("line 2"),
        "{}",
        report.errors[0].message
    );
    let ada = store
        .find_user_by_upn("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada, ada_before, "skipped without --update");

    // With --update the existing user takes the row's values; a second run changes nothing.
    let options = ImportOptions {
        update: true,
        ..ImportOptions::default()
    };
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        options.clone(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.users_updated, 1);
    assert_eq!(report.counts.users_unchanged, 2);
    let ada = store
        .find_user_by_upn("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada.id, ada_before.id);
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert_eq!(ada.user_principal_name, "ADA@example.com");
    assert_eq!(ada.attributes["department"], "Research");
    let audit = verified_audit(&store).await;
    let update = audit
        .iter()
        .find(|r| r.activity_display_name == "Update user")
        .expect("an Update user record");
    let changed: Vec<&str> = update.target_resources[0]
        .modified_properties
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(changed, ["department", "userPrincipalName", "displayName"]);

    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        options,
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.users_updated, 0);
    assert_eq!(report.counts.users_unchanged, 3);
    assert_eq!(activities(&verified_audit(&store).await, "Update user"), 1);
    assert_eq!(store.count_users(None).await.unwrap(), 3);
}

pub async fn nested_groups_and_memberships(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let staff_id = "11111111-2222-3333-4444-555555555555";
    let groups = write(
        dir.path(),
        "groups.csv",
        format!(
            "id,displayName,description,memberOf\n\
             {staff_id},All Staff,Everyone,\n\
             ,Engineering,Builders,All Staff\n\
             ,Platform Team,,Engineering\n\
             ,Orphans,,No Such Group\n\
             ,engineering,duplicate name,\n"
        ),
    );
    let users = write(
        dir.path(),
        "users.csv",
        format!(
            "userPrincipalName,displayName,groups\n\
             ada@example.com,Ada,Platform Team\n\
             bob@example.com,Bob,{staff_id};engineering\n\
             eve@example.com,Eve,Ghosts\n"
        ),
    );
    let report = import_users(
        store.clone(),
        ImportSource::users(&users).with_groups(&groups),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(report.counts.groups_created, 4);
    assert_eq!(report.counts.users_created, 2);
    // Engineering→All Staff, Platform→Engineering, ada→Platform, bob→All Staff, bob→Engineering
    assert_eq!(report.counts.memberships_added, 5);
    let errors: Vec<(InputFile, u64, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.file, e.line, e.field.as_deref()))
        .collect();
    assert_eq!(
        errors,
        [
            (InputFile::Users, 4, Some("groups")),
            (InputFile::Groups, 5, Some("memberOf")),
            (InputFile::Groups, 6, Some("displayName")),
        ]
    );
    assert!(
        store
            .find_user_by_upn("eve@example.com")
            .await
            .unwrap()
            .is_none(),
        "a row with an unknown group is refused whole"
    );

    let ada = store
        .find_user_by_upn("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let staff = portcullis_core::GroupId::parse(staff_id).unwrap();
    let transitive = store.transitive_groups_of_user(&ada.id).await.unwrap();
    assert_eq!(transitive.len(), 3, "Platform Team, Engineering, All Staff");
    assert!(transitive.contains(&staff));
    let bob = store
        .find_user_by_upn("bob@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .list_member_of(&MemberRef::User(bob.id.clone()))
            .await
            .unwrap()
            .len(),
        2
    );

    // Running the same files again adds nothing and changes nothing.
    let again = import_users(
        store.clone(),
        ImportSource::users(&users).with_groups(&groups),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(again.counts.groups_created, 0);
    assert_eq!(again.counts.groups_existing, 4);
    assert_eq!(again.counts.memberships_added, 0);
    assert_eq!(again.counts.users_skipped, 2);
    let audit = verified_audit(&store).await;
    assert_eq!(activities(&audit, "Add group"), 4);
    assert_eq!(activities(&audit, "Add member to group"), 5);

    // A cycle through the file is refused with its row; the rest of the nesting lands.
    let cycle = write(
        dir.path(),
        "cycle.csv",
        "displayName,memberOf\nPlatform Team,\nAll Staff,Platform Team\n",
    );
    let users_none = write(dir.path(), "none.csv", "userPrincipalName,displayName\n");
    let report = import_users(
        store.clone(),
        ImportSource::users(&users_none).with_groups(&cycle),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(
        (report.errors[0].line, report.errors[0].field.as_deref()),
        (3, Some("memberOf"))
    );
    assert!(
        report.errors[0].message.contains("cycle"),
        "{}",
        report.errors[0].message
    );
}

pub async fn bom_json_and_json_lines(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut bom_csv = vec![0xEF, 0xBB, 0xBF];
    bom_csv
        .extend_from_slice("userPrincipalName,displayName\nbom@example.com,Zoë Bom\n".as_bytes());
    let csv = write(dir.path(), "bom.csv", bom_csv);
    let array = write(
        dir.path(),
        "array.json",
        "\u{feff}[\n  {\"userPrincipalName\": \"arr1@example.com\", \"displayName\": \"Array One\", \"accountEnabled\": false},\n  \
         {\"userPrincipalName\": \"arr2@example.com\", \"displayName\": \"Array, \\\"Two\\\" ]\", \"businessPhones\": [\"+1 555 0100\"]},\n  \
         {\"userPrincipalName\": 42, \"displayName\": \"Not text\"},\n  \
         \"not an object\"\n]\n",
    );
    let wrapped = write(
        dir.path(),
        "graph.json",
        "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\", \"@odata.count\": 2, \"nested\": {\"value\": [1]},\n\
         \"value\": [\n{\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"0b6c1a2e-1111-4c3b-9f00-aaaaaaaaaaaa\", \"userPrincipalName\": \"graph1@example.com\", \"displayName\": \"Graph One\", \"mail\": null},\n\
         {\"userPrincipalName\": \"graph2@example.com\", \"displayName\": \"Graph Two\", \"passwordProfile\": {\"password\": \"x\"}}\n]}",
    );
    let lines = write(
        dir.path(),
        "users.jsonl",
        "{\"userPrincipalName\": \"line1@example.com\", \"displayName\": \"Line One\", \"userType\": \"Guest\"}\n\
         \n\
         {\"userPrincipalName\": \"line2@example.com\", \"displayName\": \"Line Two\"\n\
         [1, 2]\n\
         {\"userPrincipalName\": \"line3@example.com\", \"displayName\": \"Line Three\"}\n",
    );
    let import = |path: std::path::PathBuf| {
        let store = store.clone();
        async move {
            import_users(
                store,
                ImportSource::users(path),
                ImportOptions::default(),
                &NoProgress,
            )
            .await
            .unwrap()
        }
    };

    let report = import(csv).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        store
            .find_user_by_upn("bom@example.com")
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Zoë Bom"
    );

    let report = import(array).await;
    assert_eq!(report.counts.users_created, 2);
    let errors: Vec<(u64, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect();
    assert_eq!(errors, [(4, Some("userPrincipalName")), (5, None)]);
    let arr2 = store
        .find_user_by_upn("arr2@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(arr2.display_name, "Array, \"Two\" ]");
    assert_eq!(arr2.attributes["businessPhones"][0], "+1 555 0100");
    assert!(
        !store
            .find_user_by_upn("arr1@example.com")
            .await
            .unwrap()
            .unwrap()
            .account_enabled
    );

    let report = import(wrapped).await;
    assert_eq!(report.counts.users_created, 1);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(
        (report.errors[0].line, report.errors[0].field.as_deref()),
        (4, Some("passwordProfile"))
    );
    let graph1 = store
        .find_user_by_upn("graph1@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        graph1.id.as_str(),
        "0b6c1a2e-1111-4c3b-9f00-aaaaaaaaaaaa",
        "ids are kept"
    );

    let report = import(lines).await;
    assert_eq!(report.counts.users_created, 2);
    let errors: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(errors, [3, 4]);
    assert!(report.errors[0].message.contains("malformed JSON"));
    assert!(report.errors[1].message.contains("found an array"));
    assert_eq!(
        store
            .find_user_by_upn("line1@example.com")
            .await
            .unwrap()
            .unwrap()
            .user_type,
        UserType::Guest
    );
}

pub async fn truncated_json_keeps_the_rows_before(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cut.json",
        "[{\"userPrincipalName\": \"a@example.com\", \"displayName\": \"A\"},\n{\"userPrincipalName\": \"b@example.com\", \"displayName\": \"B\"},\n{\"userPrincipalName\": \"c@exa",
    );
    let report = import_users(
        store.clone(),
        ImportSource::users(path),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.users_created, 2);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 3);
    assert!(
        report.errors[0]
            .message
            .contains("ends inside this element")
    );
}

pub async fn file_level_problems_write_nothing(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (
            write(
                dir.path(),
                "pw.csv",
                "userPrincipalName,displayName,password\na@example.com,A,hunter22\n",
            ),
            "passwords are not imported",
        ),
        (
            write(
                dir.path(),
                "typo.csv",
                "userPrincipalName,displayName,departmnet\n",
            ),
            "unknown property \"departmnet\"",
        ),
        (write(dir.path(), "empty.csv", ""), "names no columns"),
        (
            write(dir.path(), "u16.csv", [0xFF, 0xFE, b'u', 0]),
            "UTF-16",
        ),
        (
            write(dir.path(), "users.txt", "x"),
            "cannot tell the format",
        ),
        (
            write(dir.path(), "scalar.json", "42"),
            "expected a JSON array",
        ),
        (
            write(dir.path(), "novalue.json", "{\"items\": []}"),
            "no \"value\" array",
        ),
    ];
    for (path, expected) in cases {
        let err = import_users(
            store.clone(),
            ImportSource::users(&path),
            ImportOptions::default(),
            &NoProgress,
        )
        .await
        .expect_err("a file-level problem is an error");
        assert!(
            err.to_string().contains(expected),
            "{}: {err}",
            path.display()
        );
    }
    let err = import_users(
        store.clone(),
        ImportSource::users(dir.path().join("missing.csv")),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ImportError::Read { .. }));
    assert_eq!(
        store.audit_chain_head().await.unwrap().seq,
        0,
        "nothing was written"
    );
}

pub async fn interrupted_import_resumes_without_duplicates(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut content = users_csv(2_450);
    content.push_str("broken,Bad Row\n"); // line 2452
    let users = write(dir.path(), "users.csv", content);
    let options = ImportOptions {
        chunk_size: 100,
        ..ImportOptions::default()
    };

    // The start commit, then 7 chunks of 100 users, then the "database" fails.
    let failing = FailingAfter::new(store.clone(), 8);
    let report = import_into(
        &failing,
        ImportSource::users(&users),
        options.clone(),
        &NoProgress,
    )
    .await
    .unwrap();
    let Outcome::Interrupted { reason } = &report.outcome else {
        panic!("expected an interruption, got {:?}", report.outcome)
    };
    assert!(reason.contains("simulated crash"), "{reason}");
    assert_eq!(report.counts.users_created, 700);
    assert_eq!(store.count_users(None).await.unwrap(), 700);
    let correlation = report.correlation_id.clone();

    // Without --resume the unfinished import is refused, so nothing is redone by mistake.
    let err = import_users(
        store.clone(),
        ImportSource::users(&users),
        options.clone(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Unfinished {
                last_row: 700,
                last_line: 701
            }
        ),
        "{err}"
    );

    // A second crash, then a resume that completes, with a different chunk size.
    let failing = FailingAfter::new(store.clone(), 3);
    let resume = ImportOptions {
        resume: ResumeMode::Resume,
        chunk_size: 100,
        ..ImportOptions::default()
    };
    let report = import_into(
        &failing,
        ImportSource::users(&users),
        resume.clone(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert!(matches!(report.outcome, Outcome::Interrupted { .. }));
    assert_eq!(report.resumed_after_row, Some(700));
    assert_eq!(report.counts.users_created, 1_000);

    let resume = ImportOptions {
        chunk_size: 333,
        ..resume
    };
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        resume.clone(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(report.resumed_after_row, Some(1_000));
    assert_eq!(
        report.correlation_id, correlation,
        "one correlation id across resumes"
    );
    assert_eq!(report.counts.users_created, 2_450);
    assert_eq!(report.counts.users_skipped, 0, "nothing was tried twice");
    assert_eq!(report.failed_rows, 1);
    assert_eq!(report.errors[0].line, 2_452);
    assert_eq!(store.count_users(None).await.unwrap(), 2_450);

    let audit = verified_audit(&store).await;
    assert_eq!(
        activities(&audit, "Add user"),
        2_450,
        "one Add user per user, none twice"
    );
    assert_eq!(activities(&audit, "Bulk create users - started (bulk)"), 1);
    assert_eq!(activities(&audit, "Bulk create users - finished (bulk)"), 1);
    assert!(
        audit
            .iter()
            .all(|r| r.correlation_id.as_ref() == Some(&correlation))
    );
    let mut targets: Vec<&str> = audit
        .iter()
        .filter(|r| r.activity_display_name == "Add user")
        .map(|r| {
            r.target_resources[0]
                .user_principal_name
                .as_deref()
                .unwrap()
        })
        .collect();
    targets.sort_unstable();
    targets.dedup();
    assert_eq!(targets.len(), 2_450);

    // Resuming a finished import does nothing.
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        resume,
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(report.counts.users_created, 2_450);
    assert_eq!(activities(&verified_audit(&store).await, "Add user"), 2_450);
}

pub async fn stop_signal_interrupts_and_resume_finishes(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let users = write(dir.path(), "users.csv", users_csv(1_000));
    let stop = StopSignal::default();
    let progress = StopAfter {
        stop: stop.clone(),
        after: 3,
        seen: AtomicUsize::new(0),
    };
    let options = ImportOptions {
        chunk_size: 100,
        stop,
        ..ImportOptions::default()
    };
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        options,
        &progress,
    )
    .await
    .unwrap();
    assert_eq!(
        report.outcome,
        Outcome::Interrupted {
            reason: "stopped on request".into()
        }
    );
    assert_eq!(store.count_users(None).await.unwrap(), 300);

    let options = ImportOptions {
        resume: ResumeMode::Resume,
        ..ImportOptions::default()
    };
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        options,
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(report.counts.users_created, 1_000);
    assert_eq!(store.count_users(None).await.unwrap(), 1_000);
    assert_eq!(activities(&verified_audit(&store).await, "Add user"), 1_000);
}

/// A user created by an admin while the file was being prepared collides inside a
/// chunk: the chunk falls back to looking the rows up, the rest of it lands.
pub async fn existing_user_inside_a_chunk(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let user = portcullis_core::User {
        id: portcullis_core::UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: "user5@example.com".into(),
        display_name: "Made by an admin".into(),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: serde_json::Map::new(),
    };
    let audit = AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        "UserManagement",
        "Add user",
        "Add",
        InitiatedBy::default(),
    )
    .with_target(TargetResource {
        id: user.id.to_string(),
        display_name: None,
        resource_type: "User".into(),
        user_principal_name: Some(user.user_principal_name.clone()),
        modified_properties: vec![],
    });
    store
        .commit(Batch::single(Change::CreateUser(user), audit))
        .await
        .unwrap();
    let users = write(dir.path(), "users.csv", users_csv(10));
    let report = import_users(
        store.clone(),
        ImportSource::users(&users),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.counts.users_created, 9);
    assert_eq!(report.counts.users_skipped, 1);
    assert!(report.errors.is_empty());
    let kept = store
        .find_user_by_upn("user5@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.display_name, "Made by an admin");
    assert_eq!(activities(&verified_audit(&store).await, "Add user"), 10);
}

/// A crash while groups are created: the resume matches the groups already made (by
/// id or name) instead of making them again, and finishes the nesting and the users.
pub async fn crash_in_groups_phase_resumes(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut groups = String::from("displayName,memberOf\n");
    for g in 0..30 {
        let parent = if g == 0 {
            String::new()
        } else {
            format!("G{}", g - 1)
        };
        groups.push_str(&format!("G{g},{parent}\n"));
    }
    let groups = write(dir.path(), "groups.csv", groups);
    let users = write(
        dir.path(),
        "users.csv",
        "userPrincipalName,displayName,groups\nada@example.com,Ada,G29\n",
    );
    let source = ImportSource::users(&users).with_groups(&groups);
    let options = ImportOptions {
        chunk_size: 10,
        ..ImportOptions::default()
    };
    // Start commit, then two chunks of 10 groups.
    let failing = FailingAfter::new(store.clone(), 3);
    let report = import_into(&failing, source.clone(), options.clone(), &NoProgress)
        .await
        .unwrap();
    assert!(matches!(report.outcome, Outcome::Interrupted { .. }));
    assert_eq!(report.counts.groups_created, 20);

    let resume = ImportOptions {
        resume: ResumeMode::Resume,
        ..options
    };
    let report = import_users(store.clone(), source, resume, &NoProgress)
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.counts.groups_created, 30);
    assert_eq!(
        report.counts.memberships_added, 30,
        "29 nestings and ada's membership"
    );
    let page = store
        .list_groups(&portcullis_store::ListQuery::first(100))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 30, "no group was created twice");
    let ada = store
        .find_user_by_upn("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .transitive_groups_of_user(&ada.id)
            .await
            .unwrap()
            .len(),
        30
    );
    let audit = verified_audit(&store).await;
    assert_eq!(activities(&audit, "Add group"), 30);
    assert_eq!(activities(&audit, "Add member to group"), 30);
}

/// `--update` on an existing user adds the row's groups it lacks, and only those.
pub async fn update_adds_missing_memberships(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let groups = write(dir.path(), "groups.csv", "displayName\nRed\nBlue\n");
    let first = write(
        dir.path(),
        "first.csv",
        "userPrincipalName,displayName,groups\nada@example.com,Ada,Red\n",
    );
    import_users(
        store.clone(),
        ImportSource::users(&first).with_groups(&groups),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    let second = write(
        dir.path(),
        "second.csv",
        "userPrincipalName,displayName,groups\nada@example.com,Ada,Red;Blue\n",
    );
    let skip = import_users(
        store.clone(),
        ImportSource::users(&second).with_groups(&groups),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(
        (skip.counts.users_skipped, skip.counts.memberships_added),
        (1, 0)
    );
    let options = ImportOptions {
        update: true,
        ..ImportOptions::default()
    };
    let update = import_users(
        store.clone(),
        ImportSource::users(&second).with_groups(&groups),
        options,
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(
        (
            update.counts.users_unchanged,
            update.counts.memberships_added
        ),
        (1, 1)
    );
    assert!(update.errors.is_empty(), "{:?}", update.errors);
    let ada = store
        .find_user_by_upn("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .list_member_of(&MemberRef::User(ada.id))
            .await
            .unwrap()
            .len(),
        2
    );
}
