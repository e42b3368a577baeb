//! Filtering the sign-in log by the risk each entry carries (`riskLevelDuringSignIn`,
//! `riskLevelAggregated`), whichever way the entry was written.

use portcullis_core::SignIn;

use super::TestBackend;
use super::logs::sign_in;
use crate::{
    Filter, FilterValue, LoggedSignIn, SignInField, SignInOutcome, SignInQuery, SignInStepWrite,
};

fn with_risk(minutes: i64, during: Option<&str>, aggregated: Option<&str>) -> SignIn {
    let mut record = sign_in(None, "ada@example.com", minutes, 0);
    record.risk_level_during_sign_in = during.map(str::to_owned);
    record.risk_level_aggregated = aggregated.map(str::to_owned);
    record
}

fn eq(field: SignInField, value: &str) -> Option<Filter<SignInField>> {
    Some(Filter::Eq(field, FilterValue::Text(value.to_owned())))
}

pub async fn sign_in_log_risk_filters(backend: &dyn TestBackend) {
    let store = backend.store();
    // Half through the plain append, half through the sign-in group commit: both write
    // the risk columns.
    let appended = [
        with_risk(0, Some("none"), Some("none")),
        with_risk(1, Some("high"), Some("medium")),
        with_risk(2, Some("low"), Some("high")),
        with_risk(3, None, None),
    ];
    for record in &appended {
        store.append_sign_in(record).await.unwrap();
    }
    let committed = [
        with_risk(4, Some("high"), Some("high")),
        with_risk(5, Some("medium"), Some("none")),
    ];
    let write = SignInStepWrite {
        sign_ins: committed
            .iter()
            .map(|record| LoggedSignIn {
                record: record.clone(),
                evaluation_input: None,
            })
            .collect(),
        ..SignInStepWrite::default()
    };
    for result in store.commit_sign_in_steps(&[write]).await.unwrap() {
        result.unwrap();
    }

    let minutes = |query: SignInQuery| {
        let store = store.clone();
        async move {
            let page = store
                .query_sign_ins(&SignInQuery {
                    limit: 100,
                    ..query
                })
                .await
                .unwrap();
            page.items
                .iter()
                .map(|s| (s.created_date_time - super::t0()).whole_minutes())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        minutes(SignInQuery {
            filter: eq(SignInField::RiskLevelDuringSignIn, "high"),
            ..Default::default()
        })
        .await,
        vec![4, 1],
        "newest first, appended and group-committed entries alike"
    );
    assert_eq!(
        minutes(SignInQuery {
            filter: eq(SignInField::RiskLevelAggregated, "high"),
            ..Default::default()
        })
        .await,
        vec![4, 2]
    );
    assert_eq!(
        minutes(SignInQuery {
            filter: eq(SignInField::RiskLevelAggregated, "none"),
            ..Default::default()
        })
        .await,
        vec![5, 0]
    );
    assert_eq!(
        minutes(SignInQuery {
            filter: Some(Filter::Eq(
                SignInField::RiskLevelDuringSignIn,
                FilterValue::Null
            )),
            ..Default::default()
        })
        .await,
        vec![3],
        "an entry without risk (a workload sign-in) matches null"
    );
    let high_or_medium = eq(SignInField::RiskLevelDuringSignIn, "high")
        .zip(eq(SignInField::RiskLevelDuringSignIn, "medium"))
        .map(|(a, b)| a.or(b));
    assert_eq!(
        minutes(SignInQuery {
            filter: high_or_medium,
            outcome: Some(SignInOutcome::Success),
            ..Default::default()
        })
        .await,
        vec![5, 4, 1]
    );
    assert!(
        store
            .query_sign_ins(&SignInQuery {
                filter: Some(Filter::Eq(
                    SignInField::RiskLevelAggregated,
                    FilterValue::Int(3)
                )),
                limit: 10,
                ..Default::default()
            })
            .await
            .is_err(),
        "a number is not a risk level"
    );
}
