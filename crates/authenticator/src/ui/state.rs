//! What the interactive screen shows and how keys change it, without a terminal, so it
//! can be tested directly.

use crossterm::event::KeyCode;
use portcullis_push::{Decision, MatchNumber, NoticePurpose, PushNotice};
use time::OffsetDateTime;

use crate::accounts::ShownCode;
use crate::watch::Update;

/// What a key press asks the run loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Nothing,
    Answer {
        notice: Box<PushNotice>,
        decision: Decision,
        number: Option<MatchNumber>,
        unlock: LocalUnlock,
    },
    Quit,
}

/// How the user unlocked the app for one approval (passwordless sign-in needs it).
#[derive(Clone, PartialEq, Eq)]
pub enum LocalUnlock {
    /// Not asked (MFA pushes, denials and reports).
    NotAsked,
    /// The key file's passphrase as typed: the run loop checks it against the key file.
    Passphrase(String),
    /// A key without a passphrase: the user pressed `y` to confirm.
    Confirmed,
}

impl std::fmt::Debug for LocalUnlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalUnlock::NotAsked => f.write_str("NotAsked"),
            LocalUnlock::Passphrase(_) => f.write_str("Passphrase(redacted)"),
            LocalUnlock::Confirmed => f.write_str("Confirmed"),
        }
    }
}

/// A passwordless approval waiting for the local unlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUnlock {
    pub notice: Box<PushNotice>,
    pub number: MatchNumber,
    /// Passphrase characters typed so far (never drawn).
    pub typed: String,
}

#[derive(Debug, Default)]
pub struct Screen {
    pub pushes: Vec<PushNotice>,
    pub selected: usize,
    /// Digits typed so far for the selected push.
    pub typed: String,
    pub status: String,
    pub connection: String,
    pub codes: Vec<ShownCode>,
    pub account: String,
    /// The key file is sealed under a passphrase (asked again to approve a passwordless
    /// sign-in); otherwise the approval needs a `y` confirmation.
    pub key_has_passphrase: bool,
    /// A passwordless approval asking for the local unlock.
    pub unlocking: Option<PendingUnlock>,
}

impl Screen {
    pub fn selected_push(&self) -> Option<&PushNotice> {
        self.pushes.get(self.selected)
    }

    pub fn on_update(&mut self, update: Update) {
        match update {
            Update::Connected => self.connection = "connected".to_owned(),
            Update::Disconnected { error, retry_in } => {
                self.connection = format!(
                    "disconnected ({error}); retrying in {:.1}s",
                    retry_in.as_secs_f32()
                );
            }
            Update::Push(notice) => {
                if !self
                    .pushes
                    .iter()
                    .any(|p| p.approval_id == notice.approval_id)
                {
                    self.status = format!("new sign-in request for {}", notice.context.application);
                    self.pushes.push(*notice);
                }
            }
            Update::Settled(settled) => self.remove(|p| p.approval_id == settled.approval_id),
        }
    }

    /// Drops pushes that expired.
    pub fn prune(&mut self, now: OffsetDateTime) {
        self.remove(|p| p.expires_at <= now);
    }

    fn remove(&mut self, gone: impl Fn(&PushNotice) -> bool) {
        let selected_id = self.selected_push().map(|p| p.approval_id);
        self.pushes.retain(|p| !gone(p));
        let still_there =
            selected_id.and_then(|id| self.pushes.iter().position(|p| p.approval_id == id));
        match still_there {
            Some(index) => self.selected = index,
            None => {
                self.selected = 0;
                self.typed.clear();
            }
        }
    }

    pub fn on_key(&mut self, key: KeyCode) -> Action {
        if self.unlocking.is_some() {
            return self.on_unlock_key(key);
        }
        match key {
            KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                self.typed.clear();
                Action::Nothing
            }
            KeyCode::Down => {
                if self.selected + 1 < self.pushes.len() {
                    self.selected += 1;
                    self.typed.clear();
                }
                Action::Nothing
            }
            KeyCode::Char(digit) if digit.is_ascii_digit() => {
                if self.typed.len() < 2 {
                    self.typed.push(digit);
                }
                Action::Nothing
            }
            KeyCode::Backspace => {
                self.typed.pop();
                Action::Nothing
            }
            KeyCode::Enter => match (self.selected_push(), MatchNumber::parse(&self.typed)) {
                (Some(notice), Ok(number)) => {
                    let notice = Box::new(notice.clone());
                    self.typed.clear();
                    if notice.purpose == NoticePurpose::PasswordlessSignIn {
                        self.status = if self.key_has_passphrase {
                            "passwordless sign-in: type your passphrase and press Enter (Esc cancels)"
                        } else {
                            "passwordless sign-in: press y to confirm it is you (Esc cancels)"
                        }
                        .to_owned();
                        self.unlocking = Some(PendingUnlock {
                            notice,
                            number,
                            typed: String::new(),
                        });
                        return Action::Nothing;
                    }
                    Action::Answer {
                        notice,
                        decision: Decision::Approve,
                        number: Some(number),
                        unlock: LocalUnlock::NotAsked,
                    }
                }
                (Some(_), Err(_)) => {
                    self.status =
                        "type the two-digit number shown on the sign-in screen".to_owned();
                    Action::Nothing
                }
                (None, _) => Action::Nothing,
            },
            KeyCode::Char('n') => self.refuse(Decision::Deny),
            KeyCode::Char('r') => self.refuse(Decision::Report),
            _ => Action::Nothing,
        }
    }

    fn refuse(&mut self, decision: Decision) -> Action {
        match self.selected_push() {
            Some(notice) => {
                let notice = Box::new(notice.clone());
                self.typed.clear();
                Action::Answer {
                    notice,
                    decision,
                    number: None,
                    unlock: LocalUnlock::NotAsked,
                }
            }
            None => Action::Nothing,
        }
    }

    /// Keys while a passwordless approval waits for the local unlock: the passphrase
    /// (hidden) and Enter, or `y` for a key without one; Esc gives up.
    fn on_unlock_key(&mut self, key: KeyCode) -> Action {
        let Some(pending) = self.unlocking.as_mut() else {
            return Action::Nothing;
        };
        let unlock = match key {
            KeyCode::Esc => {
                self.unlocking = None;
                self.status = "approval cancelled".to_owned();
                return Action::Nothing;
            }
            KeyCode::Backspace => {
                pending.typed.pop();
                return Action::Nothing;
            }
            KeyCode::Enter if self.key_has_passphrase => {
                LocalUnlock::Passphrase(std::mem::take(&mut pending.typed))
            }
            KeyCode::Char(c) if self.key_has_passphrase => {
                pending.typed.push(c);
                return Action::Nothing;
            }
            KeyCode::Char('y') => LocalUnlock::Confirmed,
            _ => return Action::Nothing,
        };
        let Some(pending) = self.unlocking.take() else {
            return Action::Nothing;
        };
        Action::Answer {
            notice: pending.notice,
            decision: Decision::Approve,
            number: Some(pending.number),
            unlock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_push::wire::SettledNotice;
    use portcullis_push::{ApprovalContext, ApprovalId, Nonce, NoticePurpose};
    use uuid::Uuid;

    fn notice(n: u128, expires: i64) -> PushNotice {
        PushNotice {
            approval_id: ApprovalId::from_uuid(Uuid::from_u128(n)),
            purpose: NoticePurpose::SignIn,
            context: ApprovalContext {
                application: format!("app {n}"),
                ip_address: None,
                location: None,
                requested_at: OffsetDateTime::UNIX_EPOCH,
            },
            nonce: Nonce::from_bytes([1; 32]),
            expires_at: OffsetDateTime::from_unix_timestamp(expires).unwrap(),
        }
    }

    #[test]
    fn typing_the_number_and_enter_approves_the_selected_push() {
        let mut screen = Screen::default();
        screen.on_update(Update::Push(Box::new(notice(1, 100))));
        screen.on_update(Update::Push(Box::new(notice(2, 100))));
        screen.on_update(Update::Push(Box::new(notice(2, 100))));
        assert_eq!(screen.pushes.len(), 2, "a repeated push is shown once");
        screen.on_key(KeyCode::Down);
        assert_eq!(
            screen.on_key(KeyCode::Enter),
            Action::Nothing,
            "no number yet"
        );
        for key in ['4', '2', '7'] {
            screen.on_key(KeyCode::Char(key));
        }
        assert_eq!(screen.typed, "42", "a third digit is ignored");
        let Action::Answer {
            notice,
            decision,
            number,
            unlock,
        } = screen.on_key(KeyCode::Enter)
        else {
            panic!("expected an answer");
        };
        assert_eq!(
            notice.approval_id,
            ApprovalId::from_uuid(Uuid::from_u128(2))
        );
        assert_eq!(decision, Decision::Approve);
        assert_eq!(number.map(MatchNumber::value), Some(42));
        assert_eq!(unlock, LocalUnlock::NotAsked);
    }

    fn passwordless(n: u128) -> PushNotice {
        PushNotice {
            purpose: NoticePurpose::PasswordlessSignIn,
            ..notice(n, 100)
        }
    }

    #[test]
    fn a_passwordless_approval_asks_for_the_passphrase_first() {
        let mut screen = Screen {
            key_has_passphrase: true,
            ..Screen::default()
        };
        screen.on_update(Update::Push(Box::new(passwordless(1))));
        screen.on_key(KeyCode::Char('4'));
        screen.on_key(KeyCode::Char('2'));
        assert_eq!(screen.on_key(KeyCode::Enter), Action::Nothing);
        assert!(screen.unlocking.is_some());
        for c in "s3cret yes".chars() {
            assert_eq!(screen.on_key(KeyCode::Char(c)), Action::Nothing);
        }
        let Action::Answer { number, unlock, .. } = screen.on_key(KeyCode::Enter) else {
            panic!("expected an answer");
        };
        assert_eq!(number.map(MatchNumber::value), Some(42));
        assert_eq!(unlock, LocalUnlock::Passphrase("s3cret yes".to_owned()));
        assert!(screen.unlocking.is_none());
    }

    #[test]
    fn without_a_passphrase_a_passwordless_approval_needs_y_and_esc_cancels() {
        let mut screen = Screen::default();
        screen.on_update(Update::Push(Box::new(passwordless(1))));
        screen.on_key(KeyCode::Char('4'));
        screen.on_key(KeyCode::Char('2'));
        screen.on_key(KeyCode::Enter);
        assert_eq!(screen.on_key(KeyCode::Enter), Action::Nothing);
        assert_eq!(screen.on_key(KeyCode::Esc), Action::Nothing);
        assert!(screen.unlocking.is_none(), "Esc cancels, it does not quit");
        screen.on_key(KeyCode::Char('4'));
        screen.on_key(KeyCode::Char('2'));
        screen.on_key(KeyCode::Enter);
        assert!(matches!(
            screen.on_key(KeyCode::Char('y')),
            Action::Answer {
                unlock: LocalUnlock::Confirmed,
                ..
            }
        ));
    }

    #[test]
    fn deny_and_report_need_no_number_and_settled_pushes_disappear() {
        let mut screen = Screen::default();
        screen.on_update(Update::Push(Box::new(notice(1, 100))));
        assert!(matches!(
            screen.on_key(KeyCode::Char('r')),
            Action::Answer {
                decision: Decision::Report,
                number: None,
                ..
            }
        ));
        assert!(matches!(
            screen.on_key(KeyCode::Char('n')),
            Action::Answer {
                decision: Decision::Deny,
                ..
            }
        ));
        screen.on_update(Update::Settled(SettledNotice {
            approval_id: ApprovalId::from_uuid(Uuid::from_u128(1)),
            state: "approved".into(),
        }));
        assert!(screen.pushes.is_empty());
        assert_eq!(screen.on_key(KeyCode::Char('n')), Action::Nothing);
    }

    #[test]
    fn expired_pushes_are_pruned_and_selection_follows() {
        let mut screen = Screen::default();
        screen.on_update(Update::Push(Box::new(notice(1, 10))));
        screen.on_update(Update::Push(Box::new(notice(2, 100))));
        screen.on_key(KeyCode::Down);
        screen.prune(OffsetDateTime::from_unix_timestamp(50).unwrap());
        assert_eq!(screen.pushes.len(), 1);
        assert_eq!(screen.selected, 0);
        assert_eq!(screen.selected_push().unwrap().context.application, "app 2");
    }
}
