//! A real browser: headless Chromium (Debian's chromium and chromium-driver)
//! signs in with a demo account and switches the language.

use crate::support::TestApp;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn chromedriver() -> (Driver, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver)"),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            return (driver, url);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// Headless Chromium through chromedriver, asking for Japanese pages; the
/// profile folder is removed by [`Browser::finish`].
struct Browser {
    _driver: Driver,
    client: fantoccini::Client,
    profile: std::path::PathBuf,
}

impl Browser {
    async fn start(name: &str, height: u32) -> Self {
        let (driver, url) = chromedriver().await;
        let profile =
            std::env::temp_dir().join(format!("kizuna-chromium-{}-{name}", std::process::id()));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                         format!("--window-size=1280,{height}"), format!("--user-data-dir={}", profile.display())],
                "prefs": {"intl.accept_languages": "ja-JP,ja"}
            }
        });
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&url)
            .await
            .expect("start Chromium");
        Self {
            _driver: driver,
            client,
            profile,
        }
    }

    /// Closes the browser (always, or Chromium processes are orphaned), then
    /// fails the test if the steps failed.
    async fn finish(self, outcome: Result<(), fantoccini::error::CmdError>) {
        self.client.close().await.ok();
        let _ = std::fs::remove_dir_all(&self.profile);
        outcome.expect("browser steps");
    }
}

/// Fills in the sign-in form (already open) as the demo member and waits for my page.
async fn sign_in_as_demo_member(
    client: &fantoccini::Client,
    app: &TestApp,
) -> Result<(), fantoccini::error::CmdError> {
    sign_in_as(client, app, "member").await
}

/// Fills in the sign-in form (already open) as the demo account `who@…`.
async fn sign_in_as(
    client: &fantoccini::Client,
    app: &TestApp,
    who: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let email = format!("{who}@{}", kizuna_store::demo::DEMO_DOMAIN);
    client
        .find(Locator::Id("email"))
        .await?
        .send_keys(&email)
        .await?;
    client
        .find(Locator::Id("password"))
        .await?
        .send_keys(kizuna_store::demo::DEMO_PASSWORD)
        .await?;
    client
        .find(Locator::Css("form.stack button[type=submit]"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .for_url(&url::Url::parse(&app.url("/me")).unwrap())
        .await
}

/// A test app holding the demo partnership, with the demo password working.
async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    let hash = kizuna_server::auth::password::hash(kizuna_store::demo::DEMO_PASSWORD.into())
        .await
        .unwrap();
    app.store.load_demo(&hash).await.unwrap();
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kizuna_browser),
    ignore = "browser test skipped: install Debian's chromium and chromium-driver"
)]
async fn a_person_signs_in_and_switches_the_language_in_chromium() {
    let app = demo_app().await;
    let browser = Browser::start("lang", 900).await;
    let client = &browser.client;
    let outcome = async {
        client.goto(&app.url("/signin")).await?;
        assert_eq!(
            client
                .find(Locator::Css("html"))
                .await?
                .attr("lang")
                .await?
                .as_deref(),
            Some("ja")
        );
        sign_in_as_demo_member(client, &app).await?;
        let h1 = client.find(Locator::Css("main h1")).await?.text().await?;
        assert_eq!(h1, "マイページ");
        let png = client.screenshot().await?;
        std::fs::write(std::env::temp_dir().join("kizuna-my-page-ja.png"), png).ok();

        client
            .find(Locator::Css("button[name=lang][value=en]"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("html[lang=en]"))
            .await?;
        assert_eq!(
            client.find(Locator::Css("main h1")).await?.text().await?,
            "My page"
        );
        assert_eq!(
            client
                .find(Locator::Css("button[name=lang][value=en]"))
                .await?
                .attr("aria-pressed")
                .await?
                .as_deref(),
            Some("true")
        );
        client.goto(&app.url("/municipalities")).await?;
        assert_eq!(
            client.find(Locator::Css("main h1")).await?.text().await?,
            "Municipalities"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.finish(outcome).await;
    let id = app
        .store
        .person_by_email(&format!("member@{}", kizuna_store::demo::DEMO_DOMAIN))
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        app.store.person(id).await.unwrap().locale,
        "en",
        "the choice is stored with the account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kizuna_browser),
    ignore = "browser test skipped: install Debian's chromium and chromium-driver"
)]
async fn a_fan_logs_a_visit_with_a_photo_and_sees_it_on_the_map() {
    let app = demo_app().await;
    let browser = Browser::start("photo", 2400).await;
    let client = &browser.client;
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif.jpg");

    let outcome = async {
        client.goto(&app.url("/signin")).await?;
        sign_in_as_demo_member(client, &app).await?;
        client
            .find(Locator::Css("a[href^='/fans/']"))
            .await?
            .click()
            .await?;
        client.wait().for_element(Locator::Id("photo")).await?;
        let before = client
            .find(Locator::Css("path[data-code='072044']"))
            .await?
            .attr("data-count")
            .await?
            .unwrap_or_default();
        client
            .find(Locator::Id("kind"))
            .await?
            .select_by_value("visit")
            .await?;
        client
            .find(Locator::Id("municipality_code"))
            .await?
            .select_by_value("072044")
            .await?;
        client
            .find(Locator::Id("photo"))
            .await?
            .send_keys(&photo.display().to_string())
            .await?;
        client
            .find(Locator::Css("form[action$='/entries'] button[type=submit]"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("div.notice.success"))
            .await?;
        let after = client
            .find(Locator::Css("path[data-code='072044']"))
            .await?
            .attr("data-count")
            .await?
            .unwrap_or_default();
        assert_eq!(
            after.parse::<i64>().unwrap(),
            before.parse::<i64>().unwrap() + 1,
            "the visit shades いわき市"
        );
        let title = client
            .find(Locator::Css("path[data-code='072044'] title"))
            .await?
            .html(true)
            .await?;
        assert!(title.contains("いわき市"), "{title}");
        client.find(Locator::Css("img.thumb")).await?;
        let png = client.screenshot().await?;
        std::fs::write(std::env::temp_dir().join("kizuna-fan-page.png"), png).ok();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.finish(outcome).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kizuna_browser),
    ignore = "browser test skipped: install Debian's chromium and chromium-driver"
)]
async fn a_member_registers_gets_a_qr_code_and_is_checked_in_by_staff() {
    let app = demo_app().await;
    let browser = Browser::start("event", 1800).await;
    let client = &browser.client;
    let outcome = async {
        client.goto(&app.url("/signin")).await?;
        sign_in_as_demo_member(client, &app).await?;
        client.goto(&app.url("/events")).await?;
        client
            .find(Locator::LinkText("社員食堂 ふくしま県産品フェア"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Id("register"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("figure.qr svg"))
            .await?;
        let status = client
            .find(Locator::Id("registration-status"))
            .await?
            .text()
            .await?;
        assert!(status.contains("参加確定"), "{status}");
        let code = client
            .find(Locator::Id("registration-code"))
            .await?
            .text()
            .await?;
        assert_eq!(code.len(), 8);
        let png = client.screenshot().await?;
        std::fs::write(
            std::env::temp_dir().join("kizuna-event-registered.png"),
            png,
        )
        .ok();
        let event_url = client.current_url().await?;
        let event_path = event_url.path().to_string();

        // Staff of the organiser check the member in on the phone page.
        client
            .find(Locator::Css("form[action='/signout'] button"))
            .await?
            .click()
            .await?;
        client.goto(&app.url("/signin")).await?;
        sign_in_as(client, &app, "csr.coordinator").await?;
        client
            .goto(&app.url(&format!("{event_path}/check-in")))
            .await?;
        client
            .find(Locator::Id("code"))
            .await?
            .send_keys(&code.to_lowercase())
            .await?;
        client
            .find(Locator::Css("#check-in-form button[type=submit]"))
            .await?
            .click()
            .await?;
        let result = client
            .wait()
            .for_element(Locator::Id("check-in-result"))
            .await?
            .text()
            .await?;
        assert!(result.contains("受付しました"), "{result}");
        let png = client.screenshot().await?;
        std::fs::write(std::env::temp_dir().join("kizuna-check-in.png"), png).ok();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.finish(outcome).await;
    let member = app
        .store
        .person_by_email(&format!("member@{}", kizuna_store::demo::DEMO_DOMAIN))
        .await
        .unwrap()
        .unwrap();
    let mine = app.store.my_registrations(member.id, true).await.unwrap();
    assert!(
        mine.iter().any(|r| r.checked_in_at.is_some()),
        "the check-in is stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kizuna_browser),
    ignore = "browser test skipped: install Debian's chromium and chromium-driver"
)]
async fn staff_drafting_a_challenge_see_a_similar_one_and_join_it_instead() {
    let app = demo_app().await;
    let browser = Browser::start("board", 1800).await;
    let client = &browser.client;
    let outcome = async {
        client.goto(&app.url("/signin")).await?;
        sign_in_as(client, &app, "staff.iwaki").await?;
        client.goto(&app.url("/board")).await?;
        client
            .find(Locator::Css("a.button[href$='/board/new']"))
            .await?
            .click()
            .await?;
        // Typing the title asks for suggestions as the person types.
        client
            .wait()
            .for_element(Locator::Id("title"))
            .await?
            .send_keys("委員会の会議録の文字起こしに時間がかかる")
            .await?;
        let join = client
            .wait()
            .for_element(Locator::Css("#similar .similar-item a.button"))
            .await?;
        let suggested = client
            .find(Locator::Css("#similar .similar-item a"))
            .await?
            .text()
            .await?;
        assert!(suggested.contains("議会の会議録作成"), "{suggested}");
        let png = client.screenshot().await?;
        std::fs::write(
            std::env::temp_dir().join("kizuna-similar-suggested.png"),
            png,
        )
        .ok();
        join.click().await?;
        client
            .wait()
            .for_element(Locator::Id("e-burden"))
            .await?
            .send_keys("25")
            .await?;
        client
            .find(Locator::Css("#endorse form button[type=submit]"))
            .await?
            .click()
            .await?;
        let shared = client
            .wait()
            .for_element(Locator::Css(".notice.success"))
            .await?;
        assert!(shared.text().await?.contains("うちも同じ"));
        let shared = client.find(Locator::Id("shared")).await?.text().await?;
        assert!(shared.contains("3自治体"), "{shared}");
        let png = client.screenshot().await?;
        std::fs::write(
            std::env::temp_dir().join("kizuna-we-have-this-too.png"),
            png,
        )
        .ok();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.finish(outcome).await;
    let board = app
        .store
        .board(
            &kizuna_domain::Viewer::visitor(),
            &kizuna_store::board::BoardFilter {
                query: Some("会議録".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(board.len(), 1, "joined, not duplicated: {board:?}");
    assert_eq!(board[0].shared_count, 3);
}
