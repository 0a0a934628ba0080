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
