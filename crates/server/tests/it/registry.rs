//! Registering organisations and partnerships, and adding parties.

use crate::support::{TestApp, role};
use kizuna_domain::Role;
use serde_json::{Value, json};

async fn instance_admin(app: &TestApp, email: &str) -> reqwest::Client {
    let id = app.person(email, &[]).await;
    app.store.set_instance_admin(id, true).await.unwrap();
    app.signed_in(email).await
}

#[tokio::test]
async fn a_bad_local_government_code_is_refused_on_the_form_and_in_the_api() {
    let app = TestApp::spawn().await;
    let admin = instance_admin(&app, "root@example.jp").await;
    let form = [
        ("kind", "municipality"),
        ("name", "架空村"),
        ("local_gov_code", "073999"),
        ("partnership_id", ""),
    ];
    let res = admin
        .post(app.url("/admin/organisations"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("検査数字が一致しません") && body.contains("value=\"架空村\""),
        "the form keeps what was typed"
    );

    let res = admin
        .post(app.url("/api/v1/organisations"))
        .json(&json!({"kind": "municipality", "name": "架空村", "local_gov_code": "07399"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["field"].as_str()),
        (Some("code_length"), Some("local_gov_code"))
    );
    let res = admin
        .post(app.url("/api/v1/organisations"))
        .json(&json!({"kind": "municipality", "name": "福島市", "local_gov_code": "072010"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let orgs: Value = app
        .client()
        .get(app.url("/api/v1/organisations?kind=municipality"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orgs.as_array().unwrap().len(), 59, "nothing was added");
}

#[tokio::test]
async fn an_instance_admin_registers_a_partnership_and_a_group_subsidiary() {
    let app = TestApp::spawn().await;
    let admin = instance_admin(&app, "root@example.jp").await;
    let bad = admin
        .post(app.url("/admin/partnerships"))
        .form(&[
            ("name", "会津 × テスト"),
            ("visibility", "public"),
            ("signed_on", "2025-02-30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("実在する日"));
    let res = admin
        .post(app.url("/admin/partnerships"))
        .form(&[
            ("name", "会津 × テスト"),
            ("visibility", "members"),
            ("signed_on", "2025-04-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let p: i64 = location
        .trim_start_matches("/partnerships/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        app.client()
            .get(app.url(&format!("/partnerships/{p}")))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "members only"
    );

    let parent = admin
        .post(app.url("/api/v1/organisations"))
        .json(&json!({"kind": "company", "name": "親会社株式会社", "partnership_id": p}))
        .send()
        .await
        .unwrap();
    assert_eq!(parent.status(), 201);
    let parent: Value = parent.json().await.unwrap();
    let form = [
        ("kind", "company"),
        ("name", "子会社株式会社"),
        ("name_kana", "こがいしゃ"),
        ("parent_id", &parent["id"].to_string()),
        ("partnership_id", &p.to_string()),
    ];
    let res = admin
        .post(app.url("/admin/organisations"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = admin
        .get(app.url(&format!("/organisations/{}", parent["id"])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("子会社株式会社"),
        "the subsidiary is listed under its parent"
    );
}

#[tokio::test]
async fn coordinators_add_organisations_to_their_partnership_only() {
    let app = TestApp::spawn().await;
    let p = app.partnership(&[]).await;
    let other = app.partnership(&[]).await;
    app.person("coord@example.jp", &[role(p, Role::Coordinator, None)])
        .await;
    app.person("member@example.jp", &[role(p, Role::Member, None)])
        .await;
    let coord = app.signed_in("coord@example.jp").await;
    let miharu = app.municipality("075213").await;
    let res = coord
        .post(app.url(&format!("/partnerships/{p}/parties")))
        .form(&[("organisation_id", miharu.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        app.store
            .partnerships_of_organisation(miharu)
            .await
            .unwrap()
            .contains(&p)
    );
    let res = coord
        .post(app.url(&format!("/partnerships/{other}/parties")))
        .form(&[("organisation_id", miharu.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A coordinator must name the partnership a new organisation joins.
    let res = coord
        .post(app.url("/admin/organisations"))
        .form(&[
            ("kind", "school"),
            ("name", "試験高校"),
            ("partnership_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = coord
        .post(app.url("/admin/organisations"))
        .form(&[
            ("kind", "school"),
            ("name", "試験高校"),
            ("partnership_id", &p.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    let member = app.signed_in("member@example.jp").await;
    let res = member
        .post(app.url(&format!("/partnerships/{p}/parties")))
        .form(&[("organisation_id", miharu.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        member
            .get(app.url("/admin/organisations/new"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        member
            .get(app.url("/admin/partnerships/new"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
