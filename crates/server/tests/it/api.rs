//! The JSON API: tokens, scoping, RFC 9457 problem documents, OpenAPI.

use crate::support::{TestApp, role};
use kizuna_domain::Role;
use serde_json::Value;

pub async fn problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    body
}

#[tokio::test]
async fn a_personal_access_token_works_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let p = app.partnership(&[]).await;
    app.person("api@example.jp", &[role(p, Role::Coordinator, None)])
        .await;
    let web = app.signed_in("api@example.jp").await;
    let page = web
        .post(app.url("/me/tokens"))
        .form(&[("name", "集計スクリプト")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page
        .split("id=\"new-token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert!(token.starts_with("kz_"));

    let api = reqwest::Client::new();
    let me: Value = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "api@example.jp");
    assert_eq!(me["roles"][0]["role"], "coordinator");

    let listed: Value = api
        .get(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = listed[0]["id"].as_i64().unwrap();
    assert!(listed[0].get("token").is_none(), "secrets are never listed");
    let res = web
        .post(app.url(&format!("/me/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/me?notice=token-revoked");

    let res = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(res, 401, "sign_in_required").await;
    let res = api
        .get(app.url("/api/v1/me"))
        .bearer_auth("kz_forged")
        .send()
        .await
        .unwrap();
    problem(res, 401, "sign_in_required").await;
}

#[tokio::test]
async fn tokens_are_created_and_revoked_through_the_api_too() {
    let app = TestApp::spawn().await;
    app.person("cli@example.jp", &[]).await;
    let web = app.signed_in("cli@example.jp").await;
    let res = web
        .post(app.url("/api/v1/me/tokens"))
        .json(&serde_json::json!({"name": "cli"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap();
    let api = reqwest::Client::new();
    let res = api
        .delete(app.url(&format!("/api/v1/me/tokens/{}", created["id"])))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    problem(
        api.get(app.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
        401,
        "sign_in_required",
    )
    .await;
    let res = web
        .post(app.url("/api/v1/me/tokens"))
        .json(&serde_json::json!({"name": "  "}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "required").await;
    assert_eq!(body["field"], "name");
}

#[tokio::test]
async fn municipalities_and_partnerships_are_served_as_json() {
    let app = TestApp::spawn().await;
    app.partnership(&[app.municipality("072010").await]).await;
    let api = reqwest::Client::new();
    let list: Value = api
        .get(app.url("/api/v1/municipalities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 59);
    assert_eq!(list[0]["code"], "072010");
    assert_eq!(list[0]["name"], "福島市");
    let one: Value = api
        .get(app.url("/api/v1/municipalities/075213"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (one["name"].as_str(), one["region"].as_str()),
        (Some("三春町"), Some("県中"))
    );
    let ps: Value = api
        .get(app.url("/api/v1/partnerships"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let detail: Value = api
        .get(app.url(&format!("/api/v1/partnerships/{}", ps[0]["id"])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["pillars"].as_array().unwrap().len(), 6);
    assert_eq!(detail["parties"][0]["name"], "福島市");
    let orgs: Value = api
        .get(app.url("/api/v1/organisations?kind=prefecture"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orgs[0]["local_gov_code"], "070009");
}

#[tokio::test]
async fn api_errors_are_problem_documents_in_the_callers_language() {
    let app = TestApp::spawn().await;
    let api = reqwest::Client::new();
    let res = api
        .get(app.url("/api/v1/municipalities/072011"))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422, "code_check_digit").await;
    assert!(body["title"].as_str().unwrap().contains("検査数字"));
    let res = api
        .get(app.url("/api/v1/municipalities/072011"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(
        problem(res, 422, "code_check_digit").await["title"]
            .as_str()
            .unwrap()
            .contains("check digit")
    );
    problem(
        api.get(app.url("/api/v1/municipalities/131016"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(
        api.get(app.url("/api/v1/organisations/999999"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(
        api.get(app.url("/api/v1/organisations?kind=club"))
            .send()
            .await
            .unwrap(),
        422,
        "unknown_kind",
    )
    .await;
    problem(
        api.get(app.url("/api/v1/me")).send().await.unwrap(),
        401,
        "sign_in_required",
    )
    .await;
    problem(
        api.get(app.url("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn invalid_or_oversize_json_is_a_clear_problem_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let iwaki = app.municipality("072044").await;
    let p = app.partnership(&[iwaki]).await;
    app.person(
        "json@example.jp",
        &[role(p, Role::MunicipalStaff, Some(iwaki))],
    )
    .await;
    let web = app.signed_in("json@example.jp").await;
    let url = app.url(&format!("/api/v1/organisations/{iwaki}"));
    let res = web
        .patch(&url)
        .header("content-type", "application/json")
        .body("{\"website\": ")
        .send()
        .await
        .unwrap();
    let body = problem(res, 400, "bad_request").await;
    assert!(body["detail"].as_str().unwrap().contains("JSON"), "{body}");
    let res = web.patch(&url).body("website=x").send().await.unwrap();
    problem(res, 415, "unsupported_media_type").await;
    let huge = serde_json::json!({"description": "あ".repeat(600_000)});
    problem(
        web.patch(&url).json(&huge).send().await.unwrap(),
        413,
        "body_too_large",
    )
    .await;
    let res = web
        .patch(&url)
        .json(&serde_json::json!({"website": "javascript:alert(1)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422, "invalid_url").await["field"], "website");
    let org: Value = app
        .client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        org["website"].is_null() || org["website"].as_str().unwrap().starts_with("http"),
        "nothing partial was stored"
    );

    let res = web.patch(&url).json(&serde_json::json!({"website": "https://www.city.iwaki.lg.jp/", "description": "API から"})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let aizu = app.municipality("072028").await;
    let res = web
        .patch(app.url(&format!("/api/v1/organisations/{aizu}")))
        .json(&serde_json::json!({"description": "x"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_every_endpoint() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/municipalities",
        "/api/v1/municipalities/{code}",
        "/api/v1/partnerships",
        "/api/v1/partnerships/{id}",
        "/api/v1/me",
        "/api/v1/me/tokens",
        "/api/v1/me/tokens/{id}",
        "/api/v1/events",
        "/api/v1/events/{id}",
        "/api/v1/partnerships/{id}/events",
        "/api/v1/events/{id}/registrations",
        "/api/v1/events/{id}/check-ins",
        "/api/v1/registrations/{id}",
        "/api/v1/registrations/{id}/acceptance",
        "/api/v1/me/registrations",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}
