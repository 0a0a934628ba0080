//! Sign-up, verification, sign-in, sign-out and password reset over HTTP.

use crate::support::{PASSWORD, TestApp, link_in};

#[tokio::test]
async fn sign_up_then_verify_then_sign_in_reaches_my_page() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let form = [
        ("email", "Hanako@Example.jp"),
        ("display_name", "福島 花子"),
        ("name_kana", "ふくしま はなこ"),
        ("password", PASSWORD),
        ("consent", "yes"),
    ];
    let res = c.post(app.url("/signup")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin?notice=signed-up");

    // Not verified yet: sign-in is refused with a way to resend the mail.
    let res = c
        .post(app.url("/signin"))
        .form(&[("email", "hanako@example.jp"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("メールアドレスの確認がまだ済んでいません")
            && body.contains("action=\"/verification\""),
        "{body}"
    );

    let mails = app.store.mail_to("hanako@example.jp").await.unwrap();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.contains("メールアドレスの確認"));
    let link = link_in(&mails[0].text_body, "/verify/");
    assert!(link.starts_with(&app.base));
    let path = link.trim_start_matches(&app.base).to_string();
    let page = c
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("メールアドレスを確認する"));
    let res = c.post(app.url(&path)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/signin?notice=verified");

    let res = c
        .post(app.url("/signin"))
        .form(&[("email", "hanako@example.jp"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/me");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("kizuna_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let me = c.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let me = me.text().await.unwrap();
    assert!(
        me.contains("福島 花子")
            && me.contains("hanako@example.jp")
            && me.contains("プライバシーポリシーへの同意")
    );

    let res = c.post(app.url("/signout")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(c.get(app.url("/me")).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn bad_sign_ups_get_messages_in_japanese_and_store_nothing() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let cases = [
        (
            ("bad-address", "花子", "", PASSWORD, "yes"),
            "メールアドレスの形式が正しくありません",
        ),
        (("a@example.jp", "花子", "", "short", "yes"), "12文字以上"),
        (
            ("a@example.jp", "花子", "", "password1234", "yes"),
            "よく使われていて危険",
        ),
        (
            ("a@example.jp", "花子", "花子", PASSWORD, "yes"),
            "ひらがな又はカタカナ",
        ),
        (("a@example.jp", "花子", "", PASSWORD, ""), "同意が必要"),
        (
            ("a@example.jp", "  ", "", PASSWORD, "yes"),
            "入力してください",
        ),
    ];
    for ((email, name, kana, pw, consent), expected) in cases {
        let mut form = vec![
            ("email", email),
            ("display_name", name),
            ("name_kana", kana),
            ("password", pw),
        ];
        if !consent.is_empty() {
            form.push(("consent", consent));
        }
        let res = c.post(app.url("/signup")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 422, "{email} {pw}");
        let body = res.text().await.unwrap();
        assert!(body.contains(expected), "expected {expected:?} in the page");
        assert!(
            !body.contains(pw) || pw.is_empty() || pw == "short",
            "the password is never echoed back"
        );
    }
    assert!(
        app.store
            .person_by_email("a@example.jp")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_duplicate_email_is_refused_with_a_way_forward() {
    let app = TestApp::spawn().await;
    app.person("taken@example.jp", &[]).await;
    let form = [
        ("email", "taken@example.jp"),
        ("display_name", "二人目"),
        ("password", PASSWORD),
        ("consent", "yes"),
    ];
    let res = app
        .client()
        .post(app.url("/signup"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("すでに登録されています。ログインするか、パスワードを再設定")
    );
}

#[tokio::test]
async fn password_reset_works_once_and_an_expired_link_says_so() {
    let app = TestApp::spawn().await;
    let id = app.person("reset@example.jp", &[]).await;
    let c = app.client();
    let res = c
        .post(app.url("/password-reset"))
        .form(&[("email", "reset@example.jp")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/signin?notice=reset-sent");
    // Unknown addresses get the same answer and no mail.
    let res = c
        .post(app.url("/password-reset"))
        .form(&[("email", "nobody@example.jp")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/signin?notice=reset-sent");
    assert!(
        app.store
            .mail_to("nobody@example.jp")
            .await
            .unwrap()
            .is_empty()
    );

    let mail = &app.store.mail_to("reset@example.jp").await.unwrap()[0];
    let path = link_in(&mail.text_body, "/password-reset/")
        .trim_start_matches(&app.base)
        .to_string();
    let weak = c
        .post(app.url(&path))
        .form(&[("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    let res = c
        .post(app.url(&path))
        .form(&[("password", "a brand new passphrase")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/signin?notice=password-changed");
    let res = c
        .post(app.url("/signin"))
        .form(&[
            ("email", "reset@example.jp"),
            ("password", "a brand new passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Used once: a second use is refused.
    assert_eq!(
        c.post(app.url(&path))
            .form(&[("password", "another passphrase here")])
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    c.post(app.url("/password-reset"))
        .form(&[("email", "reset@example.jp")])
        .send()
        .await
        .unwrap();
    let mail = &app.store.mail_to("reset@example.jp").await.unwrap()[0];
    let path = link_in(&mail.text_body, "/password-reset/")
        .trim_start_matches(&app.base)
        .to_string();
    app.store.expire_links_of(id).await.unwrap();
    let res = c
        .post(app.url(&path))
        .form(&[("password", "too late passphrase")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("有効期限が切れています"));
}

#[tokio::test]
async fn repeated_wrong_passwords_pause_sign_in_with_a_clear_message() {
    let app = TestApp::spawn().await;
    app.person("locked@example.jp", &[]).await;
    let c = app.client();
    for _ in 0..5 {
        let res = c
            .post(app.url("/signin"))
            .form(&[
                ("email", "locked@example.jp"),
                ("password", "wrong wrong wrong"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("メールアドレスまたはパスワードが違います")
        );
    }
    let res = c
        .post(app.url("/signin"))
        .form(&[("email", "locked@example.jp"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("15分間停止"));
}

#[tokio::test]
async fn sign_in_returns_to_a_local_page_only() {
    let app = TestApp::spawn().await;
    app.person("next@example.jp", &[]).await;
    let c = app.client();
    let res = c
        .post(app.url("/signin"))
        .form(&[
            ("email", "next@example.jp"),
            ("password", PASSWORD),
            ("next", "/municipalities"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/municipalities");
    let c = app.client();
    let res = c
        .post(app.url("/signin"))
        .form(&[
            ("email", "next@example.jp"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/me");
}

#[tokio::test]
async fn a_person_downloads_their_data_and_erases_their_account() {
    let app = TestApp::spawn().await;
    let id = app.person("erase@example.jp", &[]).await;
    let c = app.signed_in("erase@example.jp").await;
    let res = c.get(app.url("/me/data")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data: serde_json::Value = res.json().await.unwrap();
    assert_eq!(data["person"]["email"], "erase@example.jp");
    assert_eq!(data["consents"][0]["purpose"], "privacy_notice");
    assert!(
        !data.to_string().contains("argon2"),
        "no password hash in the export"
    );

    let res = c
        .post(app.url("/me/erasure"))
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("確認のチェック"));
    let res = c
        .post(app.url("/me/erasure"))
        .form(&[("password", "not my password"), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(app.store.person(id).await.is_ok());

    let res = c
        .post(app.url("/me/erasure"))
        .form(&[("password", PASSWORD), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/?notice=erased");
    assert!(
        app.store
            .person_by_email("erase@example.jp")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(c.get(app.url("/me")).send().await.unwrap().status(), 401);
}
