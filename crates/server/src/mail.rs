//! Delivering e-mail: an .eml file per message (default, needs no server),
//! the log only, or SMTP through lettre.

use crate::config::MailConfig;
use kizuna_store::outbox::QueuedMail;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Log,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Transport {
    pub fn from_config(c: &MailConfig) -> anyhow::Result<Self> {
        Ok(match c.transport.as_str() {
            "file" => {
                std::fs::create_dir_all(&c.dir)?;
                Self::File(AsyncFileTransport::new(&c.dir))
            }
            "log" => Self::Log,
            "smtp" => {
                anyhow::ensure!(
                    !c.smtp_host.is_empty(),
                    "mail.smtp_host is required when mail.transport = \"smtp\""
                );
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.smtp_host)
                    .port(c.smtp_port);
                if !c.smtp_username.is_empty() {
                    b = b.credentials(Credentials::new(
                        c.smtp_username.clone(),
                        c.smtp_password.clone(),
                    ));
                }
                Self::Smtp(b.build())
            }
            other => anyhow::bail!("unknown mail.transport {other:?}: use file, log or smtp"),
        })
    }

    pub async fn send(&self, from: &str, mail: &QueuedMail) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(from.parse::<Mailbox>()?)
            .to(mail.to_addr.parse::<Mailbox>()?)
            .subject(&mail.subject);
        let body =
            MultiPart::alternative_plain_html(mail.text_body.clone(), mail.html_body.clone());
        let message = match &mail.calendar {
            // Text and HTML, plus the event as a file calendars open.
            Some(ics) => message.multipart(MultiPart::mixed().multipart(body).singlepart(
                Attachment::new("invite.ics".to_string()).body(
                    ics.clone(),
                    ContentType::parse("text/calendar; charset=utf-8")?,
                ),
            ))?,
            None => message.multipart(body)?,
        };
        match self {
            Self::File(t) => {
                t.send(message).await?;
            }
            Self::Log => {
                tracing::info!(to = %mail.to_addr, subject = %mail.subject, "mail (log transport)")
            }
            Self::Smtp(t) => {
                t.send(message).await?;
            }
        }
        Ok(())
    }
}
