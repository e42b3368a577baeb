//! The cost of the pipeline apart from the password hash: a password step (argon2 at a
//! deliberately tiny 64 KiB, 1 pass, measured alone as `argon2_verify_64k` to subtract)
//! and a TOTP answer step, each including a Conditional Access decision over 20 policies,
//! the challenge planning and the sign-in log record.

#![allow(clippy::unwrap_used)]

#[path = "../tests/integration/support/mod.rs"]
mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_signin::{Input, Outcome, Protocol, SignInTransaction, Subject, step};
use serde_json::json;
use support::*;

fn world() -> World {
    let mut policies: Vec<serde_json::Value> = (0..19)
        .map(|n| {
            policy(
                &format!("group policy {n}"),
                json!({"conditions": {"users": {"includeUsers": [], "includeGroups": [format!("aaaaaaaa-0000-0000-0000-{n:012x}")]}}}),
            )
        })
        .collect();
    policies.push(policy("Require MFA for all users", json!({})));
    World::with_policies(policies)
}

fn bench(c: &mut Criterion) {
    let world = world();
    let request = request(Protocol::Browser);
    let subject = Subject::Known(Box::new(with_totp(user(), None)));
    let environment = world.environment(&request, &subject, now());
    let fresh = SignInTransaction::begin("ada@example.org", request.correlation_id.clone(), now());
    let mut rng = rng();

    c.bench_function("argon2_verify_64k", |b| {
        let phc = subject
            .user()
            .unwrap()
            .password
            .as_ref()
            .unwrap()
            .phc
            .clone();
        b.iter(|| black_box(world.config.hasher.verify(black_box(PASSWORD), &phc)))
    });
    c.bench_function("password_step_to_challenge", |b| {
        b.iter(|| {
            let mut transaction = fresh.clone();
            let result = step(
                &mut transaction,
                &environment,
                Input::Password(PASSWORD.into()),
                &mut rng,
            );
            assert!(matches!(result.outcome, Outcome::Challenge(_)));
            black_box(result)
        })
    });
    let mut challenged = fresh.clone();
    step(
        &mut challenged,
        &environment,
        Input::Password(PASSWORD.into()),
        &mut rng,
    );
    let code = totp().code_at(now()).unwrap();
    c.bench_function("totp_step_to_done", |b| {
        b.iter(|| {
            let mut transaction = challenged.clone();
            let result = step(
                &mut transaction,
                &environment,
                Input::TotpCode {
                    credential_id: None,
                    code: code.clone(),
                },
                &mut rng,
            );
            assert!(matches!(result.outcome, Outcome::Done(_)));
            black_box(result)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
