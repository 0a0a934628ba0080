//! Configuration: defaults, then an optional `kizuna.toml`, then `KIZUNA_*`
//! environment variables (nested keys with `__`, e.g. `KIZUNA_MAIL__TRANSPORT`).

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// `sqlite://kizuna.db` (embedded, the default) or `postgres://user:pass@host/db`.
    pub database_url: String,
    /// Largest number of pooled database connections per process.
    pub database_max_connections: u32,
    /// The address people reach Kizuna at; used in e-mail links and to accept
    /// same-origin form posts. `https://` turns on Secure cookies and HSTS.
    pub public_url: String,
    /// Version of the privacy notice people agree to at sign-up.
    pub privacy_notice_version: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Logs as JSON lines (for log collectors) instead of human-readable text.
    pub log_json: bool,
    /// Run the background jobs (e-mail delivery, clean-up) in this process.
    pub run_jobs: bool,
    /// Minutes between the board's digest e-mails (what happened to what
    /// people follow), so followers get one mail, not one per change.
    pub board_digest_minutes: u64,
    pub mail: MailConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MailConfig {
    /// `file` writes each e-mail as an .eml file into `dir`; `log` only logs
    /// it; `smtp` sends it through `smtp_host`.
    pub transport: String,
    pub from: String,
    pub dir: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_username: String,
    /// Never logged.
    #[serde(skip_serializing)]
    pub smtp_password: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://kizuna.db".into(),
            database_max_connections: 16,
            public_url: "http://127.0.0.1:8080".into(),
            privacy_notice_version: "2026-11".into(),
            max_body_bytes: 1024 * 1024,
            log_json: false,
            run_jobs: true,
            board_digest_minutes: 60,
            mail: MailConfig::default(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: "file".into(),
            from: "Kizuna <no-reply@kizuna.localhost>".into(),
            dir: "kizuna-mail".into(),
            smtp_host: String::new(),
            smtp_port: 25,
            smtp_username: String::new(),
            smtp_password: String::new(),
        }
    }
}

impl Config {
    /// Reads the configuration from its three layers.
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("KIZUNA_").split("__"))
            .extract()
            .map_err(Box::new)
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of `public_url`, for the CSRF origin check.
    pub fn public_origin(&self) -> String {
        let url = self.public_url.trim_end_matches('/');
        match url.find("://") {
            Some(i) => match url[i + 3..].find('/') {
                Some(j) => url[..i + 3 + j].to_string(),
                None => url.to_string(),
            },
            None => url.to_string(),
        }
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// The commented example printed by `kizuna config example`.
pub const EXAMPLE: &str = r#"# kizuna.toml — every setting is optional; these are the defaults.
# Each can also be set as an environment variable: KIZUNA_LISTEN,
# KIZUNA_DATABASE_URL, KIZUNA_MAIL__TRANSPORT (two underscores for nesting) …

# Address and port to listen on.
listen = "127.0.0.1:8080"

# Embedded SQLite file (created on first start), or PostgreSQL for scale-out:
#   database_url = "postgres://kizuna:secret@db.example.lg.jp:5432/kizuna"
database_url = "sqlite://kizuna.db"
database_max_connections = 16

# The address people use to reach Kizuna. Used in e-mail links and for the
# same-origin check on form posts. With https:// cookies are marked Secure
# and Strict-Transport-Security is sent.
public_url = "http://127.0.0.1:8080"

# Version of the privacy notice shown at sign-up; recorded with each consent.
privacy_notice_version = "2026-11"

# Largest request body, in bytes.
max_body_bytes = 1048576

# Log as JSON lines instead of text.
log_json = false

# Run background jobs (e-mail delivery, clean-up) in this process. Turn off on
# web-only processes when you run `kizuna worker` separately.
run_jobs = true

[mail]
# "file": write .eml files into `dir` (no mail server needed);
# "log": only log that a mail was sent; "smtp": deliver via smtp_host.
transport = "file"
from = "Kizuna <no-reply@kizuna.localhost>"
dir = "kizuna-mail"
smtp_host = ""
smtp_port = 25
smtp_username = ""
smtp_password = ""
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_to_the_defaults() {
        let parsed: Config = toml::from_str(EXAMPLE).unwrap();
        let d = Config::default();
        assert_eq!(parsed.listen, d.listen);
        assert_eq!(parsed.database_url, d.database_url);
        assert_eq!(parsed.mail.transport, d.mail.transport);
    }

    #[test]
    fn public_origin_drops_the_path() {
        let c = Config {
            public_url: "https://kizuna.example.jp/app/".into(),
            ..Config::default()
        };
        assert_eq!(c.public_origin(), "https://kizuna.example.jp");
        assert!(c.secure_cookies());
    }
}
