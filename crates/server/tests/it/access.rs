//! Who may see and do what: CSRF, roles, scoping, language.

use crate::support::{PASSWORD, TestApp, role};
use kizuna_domain::Role;

#[tokio::test]
async fn a_cross_site_form_post_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let form = [
        ("email", "victim@example.jp"),
        ("display_name", "被害 者"),
        ("password", PASSWORD),
        ("consent", "yes"),
    ];
    let res = app
        .client()
        .post(app.url("/signup"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("別のサイトから送られた操作は受け付けられません")
    );
    assert!(
        app.store
            .person_by_email("victim@example.jp")
            .await
            .unwrap()
            .is_none()
    );

    // The same post from our own page goes through.
    let res = app
        .client()
        .post(app.url("/signup"))
        .header("origin", app.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_cross_site_post_cannot_sign_a_person_out_or_revoke_tokens() {
    let app = TestApp::spawn().await;
    app.person("m@example.jp", &[]).await;
    let c = app.signed_in("m@example.jp").await;
    let res = c
        .post(app.url("/signout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        c.get(app.url("/me")).send().await.unwrap().status(),
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn a_member_cannot_reach_admin_pages_and_a_visitor_is_asked_to_sign_in() {
    let app = TestApp::spawn().await;
    let p = app.partnership(&[]).await;
    app.person("member@example.jp", &[role(p, Role::Member, None)])
        .await;
    let member = app.signed_in("member@example.jp").await;
    for path in [
        "/admin",
        "/admin/audit",
        &format!("/admin/partnerships/{p}/pillars"),
    ] {
        let res = member.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 403, "{path}");
        assert!(res.text().await.unwrap().contains("権限がありません"));
    }
    let res = member
        .post(app.url("/admin/roles"))
        .form(&[
            ("email", "member@example.jp"),
            ("partnership_id", &p.to_string()),
            ("role", "administrator"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        !app.store
            .roles_of(
                app.store
                    .person_by_email("member@example.jp")
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .await
            .unwrap()
            .iter()
            .any(|r| r.role == Role::Administrator)
    );

    let page = member
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("href=\"/admin\""),
        "no admin link for members"
    );

    let res = app.client().get(app.url("/admin")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("ログインが必要です"));
}

#[tokio::test]
async fn a_partnership_administrator_gives_and_removes_roles_in_their_partnership_only() {
    let app = TestApp::spawn().await;
    let p = app.partnership(&[]).await;
    let other = app.partnership(&[]).await;
    let iwaki = app.municipality("072044").await;
    app.store.add_party(None, p, iwaki).await.unwrap();
    app.person("admin@example.jp", &[role(p, Role::Administrator, None)])
        .await;
    let staff = app.person("staff@example.jp", &[]).await;
    let admin = app.signed_in("admin@example.jp").await;

    let page = admin
        .get(app.url("/admin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("admin@example.jp"));
    let res = admin
        .post(app.url("/admin/roles"))
        .form(&[
            ("email", "staff@example.jp"),
            ("partnership_id", &p.to_string()),
            ("role", "municipal_staff"),
            ("organisation_id", &iwaki.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/admin?notice=role-added");
    assert_eq!(
        app.store.roles_of(staff).await.unwrap(),
        vec![role(p, Role::MunicipalStaff, Some(iwaki))]
    );

    // Municipal staff need their organisation; the form says so in Japanese.
    let res = admin
        .post(app.url("/admin/roles"))
        .form(&[
            ("email", "staff@example.jp"),
            ("partnership_id", &p.to_string()),
            ("role", "municipal_staff"),
            ("organisation_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("入力してください"));
    // Another partnership is not theirs to manage.
    let res = admin
        .post(app.url("/admin/roles"))
        .form(&[
            ("email", "staff@example.jp"),
            ("partnership_id", &other.to_string()),
            ("role", "member"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let assignment = app
        .store
        .roles_for_admin(
            &app.store
                .signed_in(
                    app.store
                        .person_by_email("admin@example.jp")
                        .await
                        .unwrap()
                        .unwrap()
                        .id,
                )
                .await
                .unwrap()
                .viewer,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.person_id == staff)
        .unwrap();
    let res = admin
        .post(app.url(&format!("/admin/roles/{}/delete", assignment.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/admin?notice=role-removed");
    assert!(app.store.roles_of(staff).await.unwrap().is_empty());
}

#[tokio::test]
async fn municipal_staff_edit_their_own_organisation_page_but_not_anothers() {
    let app = TestApp::spawn().await;
    let iwaki = app.municipality("072044").await;
    let aizu = app.municipality("072028").await;
    let p = app.partnership(&[iwaki, aizu]).await;
    app.person(
        "iwaki@example.jp",
        &[role(p, Role::MunicipalStaff, Some(iwaki))],
    )
    .await;
    let staff = app.signed_in("iwaki@example.jp").await;

    let res = staff
        .get(app.url(&format!("/organisations/{aizu}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = staff
        .post(app.url(&format!("/organisations/{aizu}")))
        .form(&[
            ("website", "https://evil.example/"),
            ("description", "書き換え"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let aizu_page = app
        .client()
        .get(app.url(&format!("/organisations/{aizu}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!aizu_page.contains("書き換え"));

    let own = staff
        .get(app.url(&format!("/organisations/{iwaki}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(own.contains(&format!("/organisations/{iwaki}/edit")));
    let res = staff
        .post(app.url(&format!("/organisations/{iwaki}")))
        .form(&[("website", "ftp://bad"), ("description", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("https:// で始まるアドレス")
    );
    let res = staff
        .post(app.url(&format!("/organisations/{iwaki}")))
        .form(&[
            ("website", "https://www.city.iwaki.lg.jp/"),
            ("description", "いわき市の紹介"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("/organisations/{iwaki}?notice=saved")
    );
    let page = app
        .client()
        .get(app.url(&format!("/organisations/{iwaki}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("いわき市の紹介"));
}

#[tokio::test]
async fn members_only_partnerships_are_invisible_to_others_in_pages_and_api() {
    let app = TestApp::spawn().await;
    app.store.load_demo("$argon2id$unused").await.unwrap();
    let private = app
        .store
        .partnerships(&kizuna_domain::Viewer {
            person_id: None,
            is_instance_admin: true,
            roles: vec![],
        })
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.visibility == "members")
        .unwrap();
    let visitor = app.client();
    assert_eq!(
        visitor
            .get(app.url(&format!("/partnerships/{}", private.id)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        visitor
            .get(app.url(&format!("/api/v1/partnerships/{}", private.id)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let home = visitor
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("福島県 × NECグループ") && !home.contains(&private.name));
    let orgs = visitor
        .get(app.url("/organisations?kind=company"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(orgs.contains("日本電気株式会社") && !orgs.contains("あいづデータラボ"));
}

#[tokio::test]
async fn japanese_is_the_default_and_english_follows_the_browser_or_the_switch() {
    let app = TestApp::spawn().await;
    let plain = reqwest::Client::new();
    let page = plain
        .get(app.url("/municipalities"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"ja\">") && page.contains("市町村一覧"));
    let page = plain
        .get(app.url("/municipalities"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<html lang=\"en\">")
            && page.contains("Municipalities")
            && page.contains("Aizuwakamatsu")
    );

    // A signed-in person's choice is stored and follows them.
    let id = app.person("lang@example.jp", &[]).await;
    let c = app.signed_in("lang@example.jp").await;
    let res = c
        .post(app.url("/locale"))
        .form(&[("lang", "en"), ("next", "/me")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/me");
    assert!(
        c.get(app.url("/me"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("My page")
    );
    assert_eq!(app.store.person(id).await.unwrap().locale, "en");
    let fresh = app.signed_in("lang@example.jp").await;
    assert!(
        fresh
            .get(app.url("/me"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("<html lang=\"en\">")
    );
    let res = c
        .post(app.url("/locale"))
        .form(&[("lang", "fr"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn administrators_record_affiliations_for_their_partnerships_organisations() {
    let app = TestApp::spawn().await;
    let iwaki = app.municipality("072044").await;
    let aizu = app.municipality("072028").await;
    let p = app.partnership(&[iwaki]).await;
    app.partnership(&[aizu]).await;
    app.person("padmin@example.jp", &[role(p, Role::Administrator, None)])
        .await;
    let staff = app.person("officer@example.jp", &[]).await;
    let admin = app.signed_in("padmin@example.jp").await;
    let res = admin
        .post(app.url("/admin/memberships"))
        .form(&[
            ("email", "officer@example.jp"),
            ("organisation_id", &iwaki.to_string()),
            ("department", "DX推進課"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/admin?notice=saved");
    let me = app
        .signed_in("officer@example.jp")
        .await
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains("いわき市") && me.contains("DX推進課"));
    let res = admin
        .post(app.url("/admin/memberships"))
        .form(&[
            ("email", "officer@example.jp"),
            ("organisation_id", &aizu.to_string()),
            ("department", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "not an organisation of their partnership"
    );
    assert_eq!(app.store.memberships(staff).await.unwrap().len(), 1);
}
