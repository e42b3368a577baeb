//! Drawing the screen with ratatui.

use portcullis_push::NoticePurpose;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use time::OffsetDateTime;

use super::state::Screen;

pub fn draw(frame: &mut Frame, screen: &Screen, now: OffsetDateTime) {
    let [header, body, codes, footer] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(8),
        Constraint::Length(u16::try_from(screen.codes.len()).unwrap_or(8).min(8) + 2),
        Constraint::Length(3),
    ])
    .areas(frame.area());

    frame.render_widget(
        Paragraph::new(format!("{}  ·  {}", screen.account, screen.connection))
            .block(Block::bordered().title(" Portcullis Authenticator ")),
        header,
    );

    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
    let items: Vec<ListItem> = screen
        .pushes
        .iter()
        .map(|p| {
            let left = (p.expires_at - now).whole_seconds().max(0);
            ListItem::new(format!("{} ({left}s)", p.context.application))
        })
        .collect();
    let mut list_state =
        ListState::default().with_selected((!screen.pushes.is_empty()).then_some(screen.selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(" Sign-in requests "))
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED)),
        list_area,
        &mut list_state,
    );

    let detail = match (screen.selected_push(), &screen.unlocking) {
        (_, Some(pending)) => vec![
            Line::styled(
                "Passwordless sign-in",
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Line::raw(format!(
                "Application  {}",
                pending.notice.context.application
            )),
            Line::raw(""),
            if screen.key_has_passphrase {
                Line::raw(format!(
                    "Passphrase: {}",
                    "*".repeat(pending.typed.chars().count())
                ))
            } else {
                Line::raw("Press y to confirm it is you signing in.")
            },
            Line::raw(""),
            Line::raw("Esc: cancel"),
        ],
        (Some(push), None) => {
            let field = |name: &str, value: String| {
                Line::from(vec![
                    Span::styled(
                        format!("{name:<12}"),
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(value),
                ])
            };
            vec![
                field("Application", push.context.application.clone()),
                field(
                    "IP address",
                    push.context
                        .ip_address
                        .clone()
                        .unwrap_or_else(|| "unknown".into()),
                ),
                field(
                    "Location",
                    push.context
                        .location
                        .clone()
                        .unwrap_or_else(|| "unknown".into()),
                ),
                field("Requested", push.context.requested_at.to_string()),
                field(
                    "Kind",
                    match push.purpose {
                        NoticePurpose::SignIn => "sign-in (second factor)".to_owned(),
                        NoticePurpose::PasswordlessSignIn => "passwordless sign-in".to_owned(),
                        NoticePurpose::HelpdeskVerification => "helpdesk verification".to_owned(),
                    },
                ),
                Line::raw(""),
                Line::raw("Enter the number shown on the sign-in screen:"),
                Line::styled(
                    format!("  [ {:<2} ]", screen.typed),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Line::raw(""),
                Line::raw("Enter: approve   n: deny   r: deny and report"),
            ]
        }
        (None, None) => vec![Line::raw("No sign-in is waiting for you.")],
    };
    frame.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Details ")),
        detail_area,
    );

    let code_lines: Vec<Line> = screen
        .codes
        .iter()
        .map(|c| {
            Line::raw(format!(
                "{}  {}:{}  ({}s)",
                c.code, c.issuer, c.account, c.seconds_left
            ))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(code_lines).block(Block::bordered().title(" Codes ")),
        codes,
    );

    frame.render_widget(
        Paragraph::new(format!("{}   ↑↓ select · q quit", screen.status)).block(Block::bordered()),
        footer,
    );
}
