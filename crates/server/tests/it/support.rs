//! `TestApp`: a real server on a random port over a fresh database.

use kizuna_domain::{Role, RoleAssignment};
use kizuna_server::{AppState, Config};
use kizuna_store::Store;
use kizuna_store::people::NewAccount;
use kizuna_store::testing::TestDb;
use reqwest::redirect::Policy;
use std::net::SocketAddr;

pub const PASSWORD: &str = "momo to akabeko 2026";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    _db: TestDb,
    _server: tokio::task::JoinHandle<()>,
}

#[derive(Clone, Copy)]
pub enum Db {
    Sqlite,
    #[allow(dead_code)]
    Postgres,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(Db::Sqlite).await
    }

    pub async fn spawn_on(db: Db) -> Self {
        let db = match db {
            Db::Sqlite => TestDb::sqlite(),
            Db::Postgres => TestDb::postgres().await,
        };
        let store = db.open().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            listen: addr.to_string(),
            database_url: db.url.clone(),
            public_url: format!("http://{addr}"),
            run_jobs: false,
            mail: kizuna_server::config::MailConfig {
                transport: "log".into(),
                ..Default::default()
            },
            ..Config::default()
        };
        let app = kizuna_server::serve::app(AppState::new(store.clone(), config));
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            store,
            _db: db,
            _server: server,
        }
    }

    /// The database the server runs on (for the command line).
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (so
    /// tests see the 303s), and asks for Japanese.
    pub fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("accept-language", "ja-JP,ja;q=0.9".parse().unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// A verified account with the given roles in the demo-less database.
    pub async fn person(&self, email: &str, roles: &[RoleAssignment]) -> i64 {
        let hash = kizuna_server::auth::password::hash(PASSWORD.into())
            .await
            .unwrap();
        let id = self
            .store
            .create_verified_person(
                &NewAccount {
                    email,
                    password_hash: &hash,
                    display_name: "試験 太郎",
                    name_kana: Some("しけん たろう"),
                    locale: "ja",
                    notice_version: "2026-11",
                },
                false,
            )
            .await
            .unwrap();
        for r in roles {
            self.store.assign_role(None, id, r).await.unwrap();
        }
        id
    }

    /// Signs in through the form and returns the client holding the session.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let c = self.client();
        let res = c
            .post(self.url("/signin"))
            .form(&[("email", email), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            303,
            "sign-in of {email} failed: {}",
            res.text().await.unwrap()
        );
        c
    }

    /// A public partnership with the given parties.
    pub async fn partnership(&self, parties: &[i64]) -> i64 {
        use kizuna_store::partnerships::NewPartnership;
        let p = NewPartnership {
            name: "試験の連携",
            name_en: Some("Test partnership"),
            description: None,
            visibility: kizuna_domain::Visibility::Public,
            signed_on: Some("2024-02-07"),
        };
        self.store
            .create_partnership(None, &p, parties)
            .await
            .unwrap()
    }

    /// A company organisation named `name`.
    pub async fn company(&self, name: &str) -> i64 {
        self.store
            .create_organisation(
                None,
                &kizuna_domain::NewOrganisation::parse(
                    &kizuna_domain::organisation::OrganisationInput {
                        kind: "company".into(),
                        name: name.into(),
                        ..Default::default()
                    },
                )
                .unwrap(),
            )
            .await
            .unwrap()
    }

    pub async fn municipality(&self, code: &str) -> i64 {
        self.store
            .organisation_id_by_code(code)
            .await
            .unwrap()
            .unwrap()
    }
}

pub fn role(p: i64, r: Role, org: Option<i64>) -> RoleAssignment {
    RoleAssignment::new(p, r, org).unwrap()
}

/// The first link in a mail's text that contains `path`.
pub fn link_in(text: &str, path: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains(path))
        .unwrap_or_else(|| panic!("no {path} link in {text}"))
        .to_string()
}
