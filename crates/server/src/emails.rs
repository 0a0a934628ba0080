//! E-mails as subject, plain text and HTML, in the recipient's language.

use crate::i18n::Tr;
use askama::Template;
use kizuna_store::outbox::Mail;

#[derive(Template)]
#[template(path = "email.html")]
struct EmailHtml<'a> {
    lang: &'a str,
    greeting: &'a str,
    body: &'a str,
    action: &'a str,
    link: &'a str,
    footer: &'a str,
}

/// A mail that asks the recipient to follow one link.
fn link_mail(tr: Tr, to: &str, name: &str, kind: &str, link: &str) -> Mail {
    let greeting = tr.args("mail-greeting", &[("name", name.to_string())]);
    let body = tr.t(&format!("mail-{kind}-body"));
    let action = tr.t(&format!("mail-{kind}-action"));
    let footer = tr.t("mail-footer");
    let text_body = format!("{greeting}\n\n{body}\n\n{action}:\n{link}\n\n--\n{footer}\n");
    let html_body = EmailHtml {
        lang: tr.code(),
        greeting: &greeting,
        body: &body,
        action: &action,
        link,
        footer: &footer,
    }
    .render()
    .unwrap_or_else(|_| text_body.clone());
    Mail {
        to_addr: to.to_string(),
        subject: tr.t(&format!("mail-{kind}-subject")),
        text_body,
        html_body,
        calendar: None,
    }
}

pub fn verify_email(tr: Tr, to: &str, name: &str, link: &str) -> Mail {
    link_mail(tr, to, name, "verify", link)
}

pub fn reset_password(tr: Tr, to: &str, name: &str, link: &str) -> Mail {
    link_mail(tr, to, name, "reset", link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_domain::Locale;

    #[test]
    fn the_verification_mail_carries_the_link_in_both_parts() {
        let m = verify_email(
            Tr(Locale::Ja),
            "a@example.jp",
            "福島 花子",
            "http://x/verify/abc",
        );
        assert!(m.subject.contains("確認"));
        assert!(m.text_body.contains("福島 花子") && m.text_body.contains("http://x/verify/abc"));
        assert!(m.html_body.contains("href=\"http://x/verify/abc\""));
    }
}
