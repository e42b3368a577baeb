//! The role matrix, checked exhaustively: every role × every permission, then every
//! target-scoped permission × representative targets.

use std::collections::BTreeSet;

use super::*;
use crate::permission::{Permission as P, TargetKind};
use crate::role::DirectoryRole as R;

fn user(roles: &[R]) -> Actor {
    Actor::User {
        id: UserId::from_uuid(uuid::Uuid::nil()),
        roles: roles.to_vec(),
    }
}

fn app(perms: &[AppPermission]) -> Actor {
    Actor::App {
        client_id: ClientId::from_uuid(uuid::Uuid::nil()),
        permissions: perms.to_vec(),
    }
}

const READS: &[P] = &[
    P::UserRead,
    P::GroupRead,
    P::RoleRead,
    P::ApplicationRead,
    P::PolicyRead,
    P::AuditLogRead,
    P::SignInLogRead,
    P::RiskRead,
    P::DeviceRead,
];

/// The expected matrix, written out independently of the implementation.
fn expected(role: R) -> BTreeSet<P> {
    let set = |perms: &[P]| perms.iter().copied().collect::<BTreeSet<_>>();
    let helpdesk_like = [
        P::UserPasswordReset,
        P::UserAuthMethodsManage,
        P::TemporaryAccessPassIssue,
        P::UserSessionsRevoke,
    ];
    match role {
        R::GlobalAdministrator => set(P::ALL),
        R::GlobalReader => set(READS),
        R::PrivilegedRoleAdministrator => set(&[
            P::UserRead,
            P::GroupRead,
            P::RoleRead,
            P::ApplicationRead,
            P::PolicyRead,
            P::RoleAssign,
            P::GroupWrite,
            P::ApplicationPermissionGrant,
        ]),
        R::SecurityAdministrator => set(&[
            P::UserRead,
            P::GroupRead,
            P::RoleRead,
            P::ApplicationRead,
            P::DeviceRead,
            P::PolicyRead,
            P::ConditionalAccessWrite,
            P::SecurityDefaultsWrite,
            P::AuditLogRead,
            P::SignInLogRead,
            P::RiskRead,
            P::RiskWrite,
        ]),
        R::ConditionalAccessAdministrator => set(&[
            P::UserRead,
            P::GroupRead,
            P::RoleRead,
            P::ApplicationRead,
            P::DeviceRead,
            P::PolicyRead,
            P::ConditionalAccessWrite,
            P::SecurityDefaultsWrite,
        ]),
        R::AuthenticationPolicyAdministrator => set(&[
            P::UserRead,
            P::GroupRead,
            P::PolicyRead,
            P::AuthenticationMethodsPolicyWrite,
        ]),
        R::PrivilegedAuthenticationAdministrator | R::AuthenticationAdministrator => {
            let mut s = set(&helpdesk_like);
            s.extend([P::UserRead, P::GroupRead, P::RoleRead]);
            s
        }
        R::HelpdeskAdministrator => {
            let mut s = set(&helpdesk_like);
            s.extend([P::UserRead, P::GroupRead, P::RoleRead, P::SignInLogRead]);
            s
        }
        R::PasswordAdministrator => set(&[P::UserRead, P::GroupRead, P::UserPasswordReset]),
        R::UserAdministrator => set(&[
            P::UserRead,
            P::UserCreate,
            P::UserUpdate,
            P::UserDelete,
            P::UserPasswordReset,
            P::UserSessionsRevoke,
            P::GroupRead,
            P::GroupWrite,
            P::RoleRead,
        ]),
        R::GroupsAdministrator => set(&[P::UserRead, P::GroupRead, P::GroupWrite]),
        R::ApplicationAdministrator | R::CloudApplicationAdministrator => set(&[
            P::UserRead,
            P::GroupRead,
            P::ApplicationRead,
            P::ApplicationWrite,
        ]),
        R::SecurityOperator => set(&[
            P::UserRead,
            P::GroupRead,
            P::PolicyRead,
            P::AuditLogRead,
            P::SignInLogRead,
            P::RiskRead,
            P::RiskWrite,
            P::DeviceRead,
        ]),
        R::SecurityReader => set(&[
            P::UserRead,
            P::GroupRead,
            P::RoleRead,
            P::ApplicationRead,
            P::PolicyRead,
            P::AuditLogRead,
            P::SignInLogRead,
            P::RiskRead,
            P::DeviceRead,
        ]),
        R::ReportsReader => set(&[P::UserRead, P::AuditLogRead, P::SignInLogRead]),
        R::DirectoryReaders => set(&[
            P::UserRead,
            P::GroupRead,
            P::RoleRead,
            P::ApplicationRead,
            P::DeviceRead,
        ]),
    }
}

/// The most permissive target of the right kind, so only "is it granted at all" is tested.
fn easiest_target(permission: P) -> Target<'static> {
    match permission.target_kind() {
        TargetKind::Nothing => Target::Nothing,
        TargetKind::User => Target::User { roles: &[] },
        TargetKind::Group => Target::Group {
            is_assignable_to_role: false,
        },
        TargetKind::Role => Target::Role(R::DirectoryReaders),
    }
}

#[test]
fn every_role_times_every_permission() {
    for &role in R::ALL {
        let want = expected(role);
        for &permission in P::ALL {
            let got = authorize(&user(&[role]), permission, easiest_target(permission)).is_ok();
            assert_eq!(got, want.contains(&permission), "{role:?} / {permission:?}");
        }
    }
}

#[test]
fn readers_only_read() {
    for role in [
        R::GlobalReader,
        R::SecurityReader,
        R::ReportsReader,
        R::DirectoryReaders,
    ] {
        assert!(role.is_read_only());
        for &permission in P::ALL {
            if authorize(&user(&[role]), permission, easiest_target(permission)).is_ok() {
                assert!(permission.is_read(), "{role:?} may {permission:?}");
            }
        }
    }
}

#[test]
fn no_roles_no_access() {
    for &permission in P::ALL {
        let err = authorize(&user(&[]), permission, easiest_target(permission)).unwrap_err();
        assert!(err.reason.contains("no directory role"), "{}", err.reason);
    }
}

#[test]
fn conditional_access_admin_manages_policies_not_users() {
    let ca = user(&[R::ConditionalAccessAdministrator]);
    assert!(authorize(&ca, P::ConditionalAccessWrite, Target::Nothing).is_ok());
    assert!(authorize(&ca, P::UserCreate, Target::Nothing).is_err());
    assert!(authorize(&ca, P::UserUpdate, Target::User { roles: &[] }).is_err());
    assert!(
        authorize(
            &ca,
            P::TemporaryAccessPassIssue,
            Target::User { roles: &[] }
        )
        .is_err()
    );
}

/// Which targets each credential-helping role may act on, for every role a target holds.
#[test]
fn user_targeted_actions_respect_target_privilege() {
    let cases: &[(R, P, &[R])] = &[
        (
            R::HelpdeskAdministrator,
            P::UserAuthMethodsManage,
            &[R::DirectoryReaders, R::ReportsReader],
        ),
        (
            R::HelpdeskAdministrator,
            P::TemporaryAccessPassIssue,
            &[R::DirectoryReaders, R::ReportsReader],
        ),
        (
            R::HelpdeskAdministrator,
            P::UserSessionsRevoke,
            &[R::DirectoryReaders, R::ReportsReader],
        ),
        (
            R::PasswordAdministrator,
            P::UserPasswordReset,
            &[
                R::DirectoryReaders,
                R::ReportsReader,
                R::PasswordAdministrator,
            ],
        ),
        (
            R::AuthenticationAdministrator,
            P::UserAuthMethodsManage,
            &[
                R::DirectoryReaders,
                R::ReportsReader,
                R::HelpdeskAdministrator,
                R::PasswordAdministrator,
                R::AuthenticationAdministrator,
            ],
        ),
        (
            R::UserAdministrator,
            P::UserUpdate,
            &[
                R::DirectoryReaders,
                R::ReportsReader,
                R::HelpdeskAdministrator,
                R::PasswordAdministrator,
                R::UserAdministrator,
                R::GroupsAdministrator,
            ],
        ),
        (
            R::PrivilegedAuthenticationAdministrator,
            P::UserAuthMethodsManage,
            R::ALL,
        ),
        (R::GlobalAdministrator, P::UserDelete, R::ALL),
    ];
    for &(actor_role, permission, allowed) in cases {
        let actor = user(&[actor_role]);
        assert!(authorize(&actor, permission, Target::User { roles: &[] }).is_ok());
        for &target_role in R::ALL {
            let roles = [target_role];
            let got = authorize(&actor, permission, Target::User { roles: &roles }).is_ok();
            assert_eq!(
                got,
                allowed.contains(&target_role),
                "{actor_role:?} {permission:?} on {target_role:?}"
            );
        }
        // Holding one allowed and one higher role makes the target out of reach.
        if !allowed.contains(&R::GlobalAdministrator) {
            let roles = [R::DirectoryReaders, R::GlobalAdministrator];
            let err = authorize(&actor, permission, Target::User { roles: &roles }).unwrap_err();
            assert!(
                err.reason.contains("Global Administrator"),
                "{}",
                err.reason
            );
        }
    }
}

#[test]
fn only_top_roles_assign_roles_or_change_role_assignable_groups() {
    for &role in R::ALL {
        let actor = user(&[role]);
        let top = matches!(
            role,
            R::GlobalAdministrator | R::PrivilegedRoleAdministrator
        );
        assert_eq!(
            authorize(&actor, P::RoleAssign, Target::Role(R::GlobalAdministrator)).is_ok(),
            top
        );
        assert_eq!(
            authorize(&actor, P::ApplicationPermissionGrant, Target::Nothing).is_ok(),
            top
        );
        assert_eq!(
            authorize(
                &actor,
                P::GroupWrite,
                Target::Group {
                    is_assignable_to_role: true
                }
            )
            .is_ok(),
            top,
            "{role:?}"
        );
    }
}

#[test]
fn several_roles_combine() {
    let actor = user(&[R::ReportsReader, R::HelpdeskAdministrator]);
    assert!(authorize(&actor, P::AuditLogRead, Target::Nothing).is_ok());
    assert!(
        authorize(
            &actor,
            P::TemporaryAccessPassIssue,
            Target::User { roles: &[] }
        )
        .is_ok()
    );
    assert!(authorize(&actor, P::ConditionalAccessWrite, Target::Nothing).is_err());
}

#[test]
fn target_kind_must_match() {
    let ga = user(&[R::GlobalAdministrator]);
    // A target-scoped permission without its target is refused even for Global Administrator,
    // so a caller that forgets to look the target up fails closed.
    assert!(authorize(&ga, P::UserDelete, Target::Nothing).is_err());
    assert!(authorize(&ga, P::UserRead, Target::User { roles: &[] }).is_err());
    assert!(
        authorize(
            &ga,
            P::RoleAssign,
            Target::Group {
                is_assignable_to_role: false
            }
        )
        .is_err()
    );
}

#[test]
fn application_permissions() {
    use AppPermission as A;
    let reader = app(&[A::PolicyReadAll]);
    assert!(authorize(&reader, P::PolicyRead, Target::Nothing).is_ok());
    assert!(authorize(&reader, P::ConditionalAccessWrite, Target::Nothing).is_err());

    let ca = app(&[A::PolicyReadWriteConditionalAccess]);
    assert!(authorize(&ca, P::ConditionalAccessWrite, Target::Nothing).is_ok());
    assert!(authorize(&ca, P::SecurityDefaultsWrite, Target::Nothing).is_ok());
    assert!(authorize(&ca, P::UserRead, Target::Nothing).is_err());

    let users = app(&[A::UserReadWriteAll]);
    assert!(authorize(&users, P::UserCreate, Target::Nothing).is_ok());
    assert!(authorize(&users, P::UserUpdate, Target::User { roles: &[] }).is_ok());
    let admin = [R::DirectoryReaders];
    let err = authorize(&users, P::UserUpdate, Target::User { roles: &admin }).unwrap_err();
    assert!(err.reason.contains("User.ReadWrite.All"), "{}", err.reason);
    assert!(authorize(&users, P::UserPasswordReset, Target::User { roles: &[] }).is_err());
    // revokeSignInSessions: User.ReadWrite.All is one of Graph's permissions for it, for
    // users without roles like the other user changes.
    assert!(authorize(&users, P::UserSessionsRevoke, Target::User { roles: &[] }).is_ok());
    assert!(
        authorize(
            &users,
            P::UserSessionsRevoke,
            Target::User { roles: &admin }
        )
        .is_err()
    );

    let groups = app(&[A::GroupReadWriteAll]);
    assert!(
        authorize(
            &groups,
            P::GroupWrite,
            Target::Group {
                is_assignable_to_role: false
            }
        )
        .is_ok()
    );
    assert!(
        authorize(
            &groups,
            P::GroupWrite,
            Target::Group {
                is_assignable_to_role: true
            }
        )
        .is_err()
    );

    let roles = app(&[A::RoleManagementReadWriteDirectory]);
    assert!(authorize(&roles, P::RoleAssign, Target::Role(R::GlobalAdministrator)).is_ok());
    assert!(
        authorize(
            &roles,
            P::GroupWrite,
            Target::Group {
                is_assignable_to_role: true
            }
        )
        .is_ok()
    );

    let audit = app(&[A::AuditLogReadAll]);
    assert!(authorize(&audit, P::AuditLogRead, Target::Nothing).is_ok());
    assert!(authorize(&audit, P::SignInLogRead, Target::Nothing).is_ok());
    assert!(authorize(&audit, P::RiskRead, Target::Nothing).is_err());

    let err = authorize(&app(&[]), P::UserRead, Target::Nothing).unwrap_err();
    assert!(err.reason.contains("no Graph permission"));
}

#[test]
fn application_permissions_never_exceed_their_area() {
    use AppPermission as A;
    // Read-only Graph permissions grant only reads.
    for &perm in A::ALL {
        if perm.as_str().contains(".Read.") {
            for &permission in P::ALL {
                if perm.grant(permission).is_some() {
                    assert!(permission.is_read(), "{perm} grants {permission:?}");
                }
            }
        }
    }
    // Only role management grants role assignment.
    for &perm in A::ALL {
        let assigns = perm.grant(P::RoleAssign).is_some();
        assert_eq!(
            assigns,
            perm == A::RoleManagementReadWriteDirectory,
            "{perm}"
        );
    }
}

#[test]
fn app_permission_strings_round_trip() {
    for &perm in AppPermission::ALL {
        assert_eq!(AppPermission::parse(perm.as_str()), Some(perm));
        let json = serde_json::to_string(&perm).unwrap();
        assert_eq!(serde_json::from_str::<AppPermission>(&json).unwrap(), perm);
    }
    assert_eq!(
        AppPermission::parse("policy.read.all"),
        Some(AppPermission::PolicyReadAll)
    );
    assert!(serde_json::from_str::<AppPermission>("\"Mail.Send\"").is_err());
}
