//! The board digest: one e-mail per person and period listing what
//! happened to the challenges and municipalities they follow, grouped by
//! challenge, in their language.

use crate::i18n::Tr;
use askama::Template;
use kizuna_domain::Locale;
use kizuna_store::board_social::{DigestMail, DigestReader, Notice};
use kizuna_store::outbox::Mail;

#[derive(Template)]
#[template(path = "board_digest_email.html")]
struct DigestHtml<'a> {
    lang: &'a str,
    greeting: &'a str,
    body: &'a str,
    groups: &'a [Group],
    action: &'a str,
    link: &'a str,
    footer: &'a str,
}

/// One challenge's news.
struct Group {
    title: String,
    link: String,
    lines: Vec<String>,
}

#[derive(Clone)]
pub struct BoardMails {
    pub public_url: String,
}

/// What a notice says, e.g. 「状況が『検討中』になりました」.
fn line(tr: Tr, n: &Notice) -> String {
    let what = match n.kind.as_str() {
        "moved" => tr.args(
            "digest-moved",
            &[(
                "status",
                tr.text(&format!(
                    "challenge-status-{}",
                    n.detail.as_deref().unwrap_or("").replace('_', "-")
                ))
                .into_owned(),
            )],
        ),
        "commented" => tr.args(
            "digest-commented",
            &[("excerpt", n.detail.clone().unwrap_or_default())],
        ),
        other => tr.text(&format!("digest-{other}")).into_owned(),
    };
    format!("{} {what}", tr.datetime(n.created_at))
}

impl DigestMail for BoardMails {
    fn digest(&self, reader: &DigestReader, notices: &[Notice]) -> Mail {
        let tr = Tr(Locale::parse(&reader.locale).unwrap_or(Locale::Ja));
        let mut groups: Vec<Group> = Vec::new();
        for n in notices {
            let l = line(tr, n);
            match groups.last_mut() {
                Some(g) if g.link.ends_with(&format!("/challenges/{}", n.challenge_id)) => {
                    g.lines.push(l)
                }
                _ => groups.push(Group {
                    title: n.title.clone(),
                    link: format!("{}/challenges/{}", self.public_url, n.challenge_id),
                    lines: vec![l],
                }),
            }
        }
        let greeting = tr.args("mail-greeting", &[("name", reader.display_name.clone())]);
        let body = tr.args("digest-body", &[("count", notices.len().to_string())]);
        let action = tr.text("digest-action").into_owned();
        let link = format!("{}/board", self.public_url);
        let footer = tr.text("digest-footer").into_owned();
        let mut text_body = format!("{greeting}\n\n{body}\n\n");
        for g in &groups {
            text_body.push_str(&format!("■ {}\n{}\n", g.title, g.link));
            for l in &g.lines {
                text_body.push_str(&format!("  ・{l}\n"));
            }
            text_body.push('\n');
        }
        text_body.push_str(&format!("{action}:\n{link}\n\n--\n{footer}\n"));
        let html_body = DigestHtml {
            lang: tr.code(),
            greeting: &greeting,
            body: &body,
            groups: &groups,
            action: &action,
            link: &link,
            footer: &footer,
        }
        .render()
        .unwrap_or_else(|_| text_body.clone());
        Mail {
            to_addr: reader.email.clone(),
            subject: tr.args("digest-subject", &[("count", notices.len().to_string())]),
            text_body,
            html_body,
            calendar: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_groups_news_by_challenge_in_the_readers_language() {
        let reader = DigestReader {
            person_id: 1,
            email: "a@example.jp".into(),
            display_name: "会津 花子".into(),
            locale: "ja".into(),
            is_instance_admin: 0,
        };
        let n = |id, challenge_id, kind: &str, detail: Option<&str>| Notice {
            id,
            challenge_id,
            title: format!("課題{challenge_id}"),
            kind: kind.into(),
            detail: detail.map(str::to_string),
            created_at: 1_796_032_320,
        };
        let mail = BoardMails {
            public_url: "https://kizuna.example".into(),
        }
        .digest(
            &reader,
            &[
                n(1, 7, "moved", Some("under_review")),
                n(2, 7, "commented", Some("何種類ありますか")),
                n(3, 9, "endorsed", None),
            ],
        );
        assert!(mail.subject.contains('3'), "{}", mail.subject);
        let t = &mail.text_body;
        assert_eq!(t.matches("■ ").count(), 2, "{t}");
        assert!(t.contains("https://kizuna.example/challenges/7"));
        assert!(t.contains("検討中"), "{t}");
        assert!(t.contains("何種類ありますか"));
        assert!(mail.html_body.contains("課題9"));
    }
}
