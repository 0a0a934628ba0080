//! The `kizuna` command line.

use crate::{Config, auth::password, config, serve, telemetry};
use anyhow::Context;
use clap::{Parser, Subcommand};
use kizuna_domain::{Email, Password};
use kizuna_store::Store;
use kizuna_store::demo::{DEMO_DOMAIN, DEMO_PASSWORD};
use kizuna_store::people::NewAccount;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kizuna",
    version,
    about = "Kizuna (絆) — run a partnership between companies, a prefecture and its municipalities.",
    long_about = "Kizuna (絆) runs a partnership between a company group and a prefecture with its municipalities.\n\nStart it with `kizuna serve --demo` and open http://127.0.0.1:8080.\nSettings come from defaults, then kizuna.toml, then KIZUNA_* environment variables, then these flags."
)]
struct Cli {
    /// Configuration file (optional; see `kizuna config example`).
    #[arg(
        long,
        global = true,
        default_value = "kizuna.toml",
        env = "KIZUNA_CONFIG"
    )]
    config: PathBuf,
    /// Database: sqlite://FILE (default sqlite://kizuna.db, created on first start) or postgres://USER:PASS@HOST/DB.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (and background jobs) until Ctrl-C.
    Serve {
        /// Address and port to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        listen: Option<String>,
        /// Fill an empty database with a demo partnership and fictional people.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the background jobs (e-mail delivery, clean-up), for scale-out.
    Worker,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Manage administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Open311 intake: API keys for on-site reporting tools.
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// Show configuration help.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an instance administrator (or make an existing account one).
    /// Asks for the password, or reads it from standard input when piped.
    Create {
        #[arg(long)]
        email: String,
        /// Display name (defaults to the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum Open311Command {
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Issue a key for one jurisdiction and print it (it is shown only once).
    Create {
        /// The municipality's 6-digit local-government code, e.g. 072010 (福島市).
        #[arg(long)]
        jurisdiction: String,
        /// The partnership the reports go to; needed only when the
        /// municipality is a party to more than one.
        #[arg(long)]
        partnership: Option<i64>,
        /// What the key is for, e.g. the reporting tool's name.
        #[arg(long, default_value = "Open311")]
        label: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented kizuna.toml with every setting and its default.
    Example,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Config {
        command: ConfigCommand::Example,
    } = cli.command
    {
        print!("{}", config::EXAMPLE);
        return ExitCode::SUCCESS;
    }
    let mut config = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kizuna: the configuration is invalid: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(url) = cli.database_url.clone() {
        config.database_url = url;
    }
    telemetry::init_logging(config.log_json);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kizuna: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kizuna: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { listen, demo } => {
            if let Some(l) = listen {
                if config.public_url == Config::default().public_url {
                    config.public_url = format!("http://{l}");
                }
                config.listen = l;
            }
            serve::run(config, demo).await
        }
        Command::Worker => {
            let store = open(&config).await?;
            let state = crate::AppState::new(store, config);
            let (tx, rx) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = tx.send(true);
            });
            tracing::info!("worker running; Ctrl-C to stop");
            crate::jobs::run(state, rx).await;
            Ok(())
        }
        Command::Migrate => {
            let store = open(&config).await?;
            println!("The {} database is up to date.", store.backend().name());
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => admin_create(&config, &email, name).await,
        Command::Open311 {
            command:
                Open311Command::Keys {
                    command:
                        KeysCommand::Create {
                            jurisdiction,
                            partnership,
                            label,
                        },
                },
        } => open311_key_create(&config, &jurisdiction, partnership, &label).await,
        Command::Config { .. } => Ok(()),
    }
}

async fn open311_key_create(
    config: &Config,
    jurisdiction: &str,
    partnership: Option<i64>,
    label: &str,
) -> anyhow::Result<()> {
    let code = kizuna_domain::LocalGovCode::parse(jurisdiction).map_err(|e| {
        anyhow::anyhow!("{jurisdiction:?} is not a local-government code ({}): give six digits with the check digit, e.g. 072010", e.code)
    })?;
    let store = open(config).await?;
    let parties = store.partnerships_of_jurisdiction(&code).await?;
    let partnership = match (partnership, parties.as_slice()) {
        (Some(p), _) if parties.contains(&p) => p,
        (Some(p), _) => anyhow::bail!(
            "{code} is not a party to partnership {p}; add it on the partnership's page first"
        ),
        (None, [only]) => *only,
        (None, []) => anyhow::bail!(
            "{code} is not a party to any partnership; add it on a partnership's page first"
        ),
        (None, many) => anyhow::bail!(
            "{code} is a party to partnerships {many:?}; choose one with --partnership"
        ),
    };
    let (_, key) = store
        .create_open311_key(None, partnership, &code, label)
        .await?;
    println!("{key}");
    eprintln!(
        "Key for jurisdiction {code} (partnership {partnership}). It is shown only this once; post requests to {}/open311/v2/requests.json with api_key={key}",
        config.public_url.trim_end_matches('/')
    );
    Ok(())
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.database_url, config.database_max_connections)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                redact(&config.database_url)
            )
        })
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

async fn admin_create(config: &Config, email: &str, name: Option<String>) -> anyhow::Result<()> {
    let email = Email::parse(email)
        .map_err(|_| anyhow::anyhow!("{email:?} is not a valid e-mail address"))?;
    let store = open(config).await?;
    if let Some(existing) = store.person_by_email(email.as_str()).await? {
        store.set_instance_admin(existing.id, true).await?;
        println!("{email} already had an account; it is now an instance administrator.");
        return Ok(());
    }
    let raw = read_password()?;
    let pw = Password::parse(&raw, Some(&email)).map_err(|e| {
        anyhow::anyhow!(
            "the password was refused ({}): use at least 12 characters, not a common password",
            e.code
        )
    })?;
    let hash = password::hash(pw.expose().to_string())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let display = name.unwrap_or_else(|| email.local_part().to_string());
    store
        .create_verified_person(
            &NewAccount {
                email: email.as_str(),
                password_hash: &hash,
                display_name: &display,
                name_kana: None,
                locale: "ja",
                notice_version: &config.privacy_notice_version,
            },
            true,
        )
        .await?;
    println!(
        "Created instance administrator {email}. Sign in at {}/signin",
        config.public_url.trim_end_matches('/')
    );
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (12+ characters): ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        Ok(first)
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// Loads the demo partnership into an empty database; says so when it is not empty.
pub async fn load_demo(store: &Store) -> anyhow::Result<()> {
    if store.has_partnerships().await? {
        tracing::info!("--demo: the database already has data; nothing was added");
        return Ok(());
    }
    let hash = password::hash(DEMO_PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.load_demo(&hash).await?;
    tracing::info!(
        "demo data loaded. Sign in as admin@{DEMO_DOMAIN}, pref.coordinator@{DEMO_DOMAIN}, staff.iwaki@{DEMO_DOMAIN} or member@{DEMO_DOMAIN} with the password {DEMO_PASSWORD}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://kizuna:secret@db/kz"),
            "postgres://kizuna:***@db/kz"
        );
        assert_eq!(super::redact("sqlite://kizuna.db"), "sqlite://kizuna.db");
    }
}
