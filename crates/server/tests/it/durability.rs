//! Acknowledged means stored: clients that hang up in the middle of
//! transactional writes must not leave a pooled connection inside an open
//! transaction (sqlx issues #3932, #4393). Every write answered 201 must be
//! there after `kill -9` and a restart — on both databases.

use kizuna_store::testing::TestDb;
use rand::Rng;
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_kizuna");
const EMAIL: &str = "durable@example.jp";
const PASSWORD: &str = "acknowledged means stored";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn kizuna(url: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env("KIZUNA_DATABASE_URL", url)
        .env("KIZUNA_MAIL__TRANSPORT", "log")
        .env("KIZUNA_CONFIG", "/nonexistent/kizuna.toml");
    c
}

/// A running `kizuna serve`, killed with SIGKILL when dropped.
struct Server(Child);

impl Server {
    fn kill_9(&mut self) {
        let _ = self.0.kill(); // SIGKILL: no graceful shutdown, no flush.
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill_9();
    }
}

async fn start(url: &str, port: u16) -> Server {
    let child = Server(
        kizuna(url)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let ready = format!("http://127.0.0.1:{port}/readyz");
    for _ in 0..200 {
        if reqwest::get(&ready).await.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("kizuna serve did not become ready");
}

async fn run(db: TestDb) {
    let mut admin = kizuna(&db.url)
        .args(["admin", "create", "--email", EMAIL])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    admin
        .stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(
        admin.wait().unwrap().success(),
        "kizuna admin create failed"
    );

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&db.url, port).await;
    let web = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = web
        .post(format!("{base}/signin"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let created: Value = web
        .post(format!("{base}/api/v1/me/tokens"))
        .json(&serde_json::json!({"name": "bearer"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = created["token"].as_str().unwrap().to_string();

    // Phase 1: 400 transactional writes whose clients give up after 1–8 ms.
    let mut acknowledged = HashSet::new();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..400 {
        let (base, bearer) = (base.clone(), bearer.clone());
        let timeout = Duration::from_millis(rand::rng().random_range(1..=8));
        tasks.spawn(async move {
            let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
            let name = format!("abandoned-{i}");
            let res = client
                .post(format!("{base}/api/v1/me/tokens"))
                .bearer_auth(&bearer)
                .json(&serde_json::json!({"name": name}))
                .send()
                .await;
            matches!(res, Ok(r) if r.status() == 201).then_some(name)
        });
        if tasks.len() >= 16
            && let Some(Ok(Some(name))) = tasks.join_next().await
        {
            acknowledged.insert(name);
        }
    }
    while let Some(r) = tasks.join_next().await {
        if let Ok(Some(name)) = r {
            acknowledged.insert(name);
        }
    }
    // Phase 2: ordinary writes on the same pool; all must be acknowledged.
    let client = reqwest::Client::new();
    for i in 0..100 {
        let name = format!("ordinary-{i}");
        let res = client
            .post(format!("{base}/api/v1/me/tokens"))
            .bearer_auth(&bearer)
            .json(&serde_json::json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        acknowledged.insert(name);
    }

    server.kill_9();
    let _server = start(&db.url, port).await;
    let listed: Value = client
        .get(format!("{base}/api/v1/me/tokens"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stored: HashSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes were lost: {lost:?}",
        lost.len()
    );
    assert!(acknowledged.len() >= 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_abandoned_requests_and_kill_9_on_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kizuna_pg),
    ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it"
)]
async fn acknowledged_writes_survive_abandoned_requests_and_kill_9_on_postgres() {
    run(TestDb::postgres().await).await;
}

/// Several `kizuna serve` processes on one database behave as one: a session
/// made on one is valid on the other, and each queued mail is delivered once.
async fn two_processes_share_sessions_and_work(db: TestDb) {
    let mut admin = kizuna(&db.url)
        .args(["admin", "create", "--email", EMAIL])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    admin
        .stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(admin.wait().unwrap().success());
    let mail_dir = std::env::temp_dir().join(format!(
        "kizuna-mail-{}",
        &kizuna_store::tokens::new_secret("")[..8]
    ));
    let start_with_mail = |port: u16| {
        let mut c = kizuna(&db.url);
        c.env("KIZUNA_MAIL__TRANSPORT", "file")
            .env("KIZUNA_MAIL__DIR", &mail_dir);
        c.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Server(c.spawn().unwrap())
    };
    let (pa, pb) = (free_port(), free_port());
    let _a = start_with_mail(pa);
    let _b = start_with_mail(pb);
    for port in [pa, pb] {
        let ready = format!("http://127.0.0.1:{port}/readyz");
        let mut ok = false;
        for _ in 0..200 {
            if reqwest::get(&ready).await.is_ok_and(|r| r.status() == 200) {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(ok, "server on {port} did not start");
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(format!("http://127.0.0.1:{pa}/signin"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("kizuna_session="))
        .unwrap();
    let me = client
        .get(format!("http://127.0.0.1:{pb}/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "a session made on A works on B");

    for i in 0..20 {
        let port = if i % 2 == 0 { pa } else { pb };
        let form = [
            ("email", format!("p{i}@example.jp")),
            ("display_name", format!("利用者{i}")),
            ("password", PASSWORD.to_string()),
            ("consent", "yes".into()),
        ];
        assert_eq!(
            client
                .post(format!("http://127.0.0.1:{port}/signup"))
                .form(&form)
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
    }
    let mut files = 0;
    for _ in 0..100 {
        files = std::fs::read_dir(&mail_dir).map(|d| d.count()).unwrap_or(0);
        if files >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    files = std::fs::read_dir(&mail_dir)
        .map(|d| d.count())
        .unwrap_or(files);
    assert_eq!(
        files, 20,
        "each of the 20 mails was delivered exactly once by the two workers"
    );
    std::fs::remove_dir_all(&mail_dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kizuna_pg),
    ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it"
)]
async fn two_processes_on_one_postgres_share_sessions_and_deliver_each_mail_once() {
    two_processes_share_sessions_and_work(TestDb::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_sqlite_file_share_sessions_and_deliver_each_mail_once() {
    two_processes_share_sessions_and_work(TestDb::sqlite()).await;
}
