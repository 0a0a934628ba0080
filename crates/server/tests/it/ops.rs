//! Health, metrics, security headers, static assets, error formats.

use crate::support::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let c = app.client();
    assert_eq!(
        c.get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        200
    );
    c.get(app.url("/municipalities")).send().await.unwrap();
    let metrics = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("kizuna_http_request_duration_seconds_count")
            && metrics.contains("route=\"/municipalities\""),
        "{metrics}"
    );
    app.store.close().await;
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        503
    );
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/")).send().await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h.get("strict-transport-security").is_none(),
        "HSTS only behind TLS"
    );
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("<script>") && !body.contains(" style=\""),
        "no inline script or style"
    );
}

#[tokio::test]
async fn static_assets_have_hashed_names_and_long_cache_lifetimes() {
    let app = TestApp::spawn().await;
    let page = app
        .client()
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let href = page
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|s| s.starts_with("/static/app.") && s.ends_with(".css"))
        .unwrap();
    let res = app.client().get(app.url(href)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        app.client()
            .get(app.url("/static/app.css"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let js = page
        .split("src=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|s| s.contains("htmx.min"))
        .unwrap();
    assert!(
        app.client()
            .get(app.url(js))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("htmx")
    );
}

#[tokio::test]
async fn unknown_pages_are_a_friendly_404_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("お探しのページは見つかりませんでした")
    );
    let res = app
        .client()
        .get(app.url("/municipalities/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn an_oversize_form_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let big = "あ".repeat(400_000);
    let res = app
        .client()
        .post(app.url("/signup"))
        .form(&[("email", "x@example.jp"), ("display_name", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("大きすぎます"));
}

#[tokio::test]
async fn queued_mail_is_delivered_once_as_an_eml_file() {
    let app = TestApp::spawn().await;
    let form = [
        ("email", "mail@example.jp"),
        ("display_name", "郵便 花子"),
        ("password", crate::support::PASSWORD),
        ("consent", "yes"),
    ];
    app.client()
        .post(app.url("/signup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(app.store.unsent_mail_count().await.unwrap(), 1);

    let dir = std::env::temp_dir().join(format!(
        "kizuna-mail-{}",
        kizuna_store::tokens::new_secret("")[..8].to_owned()
    ));
    let mail = kizuna_server::config::MailConfig {
        transport: "file".into(),
        dir: dir.display().to_string(),
        ..Default::default()
    };
    let config = kizuna_server::Config {
        mail: mail.clone(),
        ..Default::default()
    };
    let state = kizuna_server::AppState::new(app.store.clone(), config);
    let transport = kizuna_server::mail::Transport::from_config(&mail).unwrap();
    kizuna_server::jobs::deliver_mail(&state, &transport).await;
    kizuna_server::jobs::deliver_mail(&state, &transport).await;

    assert_eq!(app.store.unsent_mail_count().await.unwrap(), 0);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "delivered exactly once");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        eml.contains("To: mail@example.jp") && eml.contains("multipart/alternative"),
        "{eml}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unknown_mail_transport_is_a_clear_configuration_error() {
    let c = kizuna_server::config::MailConfig {
        transport: "pigeon".into(),
        ..Default::default()
    };
    let err = kizuna_server::mail::Transport::from_config(&c)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("file, log or smtp"), "{err}");
    let c = kizuna_server::config::MailConfig {
        transport: "smtp".into(),
        ..Default::default()
    };
    assert!(
        kizuna_server::mail::Transport::from_config(&c)
            .err()
            .unwrap()
            .to_string()
            .contains("smtp_host")
    );
}

#[tokio::test]
async fn every_page_has_a_plain_title_one_h1_and_a_main_landmark() {
    let app = TestApp::spawn().await;
    app.store.load_demo("$argon2id$unused").await.unwrap();
    let id = app.person("pages@example.jp", &[]).await;
    app.store.set_instance_admin(id, true).await.unwrap();
    let c = app.signed_in("pages@example.jp").await;
    for path in [
        "/",
        "/municipalities",
        "/municipalities/072044",
        "/organisations",
        "/organisations/1",
        "/partnerships/1",
        "/privacy",
        "/me",
        "/admin",
        "/admin/audit",
        "/admin/organisations/new",
        "/admin/partnerships/new",
        "/admin/partnerships/1/pillars",
        "/organisations/1/edit",
    ] {
        let res = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        let title = html
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap();
        assert!(
            !title.contains('<') && title.ends_with("絆 Kizuna"),
            "{path}: title {title:?}"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
        assert!(
            html.contains("<main id=\"main\"") && html.contains("<nav"),
            "{path}: landmarks"
        );
        assert!(
            !html.contains("error-") && !html.contains("{{"),
            "{path}: an untranslated key or template slip"
        );
    }
    for path in [
        "/",
        "/signup",
        "/signin",
        "/password-reset",
        "/municipalities",
    ] {
        let html = app
            .client()
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(html.matches("<h1").count(), 1, "{path}");
    }
}
