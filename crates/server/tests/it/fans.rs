//! The PR corps over HTTP: joining, recording support, the map, privacy
//! between the two sides, reviews, PR goods.

use crate::support::{TestApp, role};
use kizuna_domain::Role;

struct Corps {
    app: TestApp,
    p: i64,
    company: i64,
    prefecture: i64,
}

async fn corps() -> Corps {
    let app = TestApp::spawn().await;
    let company = app
        .store
        .create_organisation(
            None,
            &kizuna_domain::NewOrganisation::parse(
                &kizuna_domain::organisation::OrganisationInput {
                    kind: "company".into(),
                    name: "試験電気株式会社".into(),
                    ..Default::default()
                },
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let prefecture = app
        .store
        .organisation_id_by_code("070009")
        .await
        .unwrap()
        .unwrap();
    let iwaki = app.municipality("072044").await;
    let p = app.partnership(&[prefecture, company, iwaki]).await;
    Corps {
        app,
        p,
        company,
        prefecture,
    }
}

/// Joins through the form and returns the fan's id.
async fn join(c: &Corps, client: &reqwest::Client, named: bool) -> i64 {
    let mut form = vec![
        ("display_name", "はなちゃん".to_string()),
        ("full_name", "福島 花子".to_string()),
        ("full_name_kana", "ふくしま はなこ".to_string()),
        ("organisation_id", c.company.to_string()),
        ("department", "営業部".to_string()),
        ("home_region", "いわき".to_string()),
        ("interests", "dx".to_string()),
        ("interests", "local_products".to_string()),
        ("skill_it", "3".to_string()),
        ("skill_design", "".to_string()),
        ("tags", "桃, 動画編集".to_string()),
        ("languages", "ja".to_string()),
        ("availability_hours", "８".to_string()),
    ];
    if named {
        form.push(("named_to_government", "yes".into()));
    }
    let res = client
        .post(c.app.url(&format!("/partnerships/{}/pr-corps", c.p)))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    loc.trim_start_matches("/fans/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Posts the entry form as a browser does: multipart, optionally with a photo.
async fn post_entry(
    c: &Corps,
    client: &reqwest::Client,
    fan: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    post_entry_with_photo(c, client, fan, fields, None).await
}

async fn post_entry_with_photo(
    c: &Corps,
    client: &reqwest::Client,
    fan: i64,
    fields: &[(&str, &str)],
    photo: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = photo {
        form = form.part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    client
        .post(c.app.url(&format!("/fans/{fan}/entries")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_person_joins_the_pr_corps_and_a_recorded_visit_appears_on_their_map() {
    let c = corps().await;
    c.app.person("fan@example.jp", &[]).await;
    let client = c.app.signed_in("fan@example.jp").await;
    let page = client
        .get(c.app.url(&format!("/partnerships/{}", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/partnerships/{}/pr-corps/new", c.p)));
    let fan = join(&c, &client, false).await;
    let detail = c.app.store.fan_detail(fan).await.unwrap();
    assert_eq!(detail.skills, vec![("it".to_string(), 3)]);
    assert_eq!(detail.fan.availability_hours, Some(8));
    assert!(
        c.app
            .store
            .roles_of(detail.fan.person_id)
            .await
            .unwrap()
            .iter()
            .any(|r| r.role == Role::Member),
        "a fan is a member"
    );

    let res = post_entry(
        &c,
        &client,
        fan,
        &[
            ("kind", "visit"),
            ("occurred_on", "2026-11-01"),
            ("municipality_code", "072044"),
            ("note", "アクアマリンふくしま"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let page = client
        .get(c.app.url(&format!("/fans/{fan}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<strong id=\"points\">10</strong>"),
        "a visit earns 10 points"
    );
    assert!(page.contains("★ 初めての訪問"));
    assert!(
        page.contains("data-code=\"072044\" data-count=\"1\""),
        "the visit shades いわき市 on the map"
    );
    assert!(
        page.contains("気象庁ホームページ"),
        "the map carries its attribution"
    );
    // Joining twice just leads back to the fan page.
    let again = client
        .get(c.app.url(&format!("/partnerships/{}/pr-corps/new", c.p)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["location"], format!("/fans/{fan}"));
}

#[tokio::test]
async fn bad_entries_get_clear_messages_and_nothing_is_stored() {
    let c = corps().await;
    c.app.person("bad@example.jp", &[]).await;
    let client = c.app.signed_in("bad@example.jp").await;
    let fan = join(&c, &client, false).await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("kind", "visit"),
                ("occurred_on", "2199-01-01"),
                ("municipality_code", "072044"),
            ],
            "未来の日付は記録できません",
        ),
        (
            &[
                ("kind", "purchase"),
                ("occurred_on", "2026-11-01"),
                ("amount_yen", "-300"),
                ("channel", "shop"),
            ],
            "1以上で入力",
        ),
        (
            &[
                ("kind", "visit"),
                ("occurred_on", "2026-11-01"),
                ("municipality_code", "131016"),
            ],
            "福島県の市町村から選んでください",
        ),
        (
            &[
                ("kind", "visit"),
                ("occurred_on", "2026-11-01"),
                ("municipality_code", "072045"),
            ],
            "検査数字",
        ),
        (
            &[
                ("kind", "post"),
                ("occurred_on", "2026-11-01"),
                ("url", "javascript:alert(1)"),
            ],
            "https:// で始まるアドレス",
        ),
    ];
    for (fields, message) in cases {
        let res = post_entry(&c, &client, fan, fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        assert!(
            res.text().await.unwrap().contains(message),
            "expected {message}"
        );
    }
    assert!(
        c.app
            .store
            .ledger(fan, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_prefecture_coordinator_never_sees_the_name_of_a_fan_who_did_not_opt_in() {
    let c = corps().await;
    c.app.person("private@example.jp", &[]).await;
    let fan_client = c.app.signed_in("private@example.jp").await;
    let fan = join(&c, &fan_client, false).await;
    post_entry(
        &c,
        &fan_client,
        fan,
        &[
            ("kind", "talk"),
            ("occurred_on", "2026-11-02"),
            ("audience", "30"),
        ],
    )
    .await;

    let pref = c
        .app
        .person("pref@example.jp", &[role(c.p, Role::Coordinator, None)])
        .await;
    c.app
        .store
        .add_membership(None, pref, c.prefecture, Some("企画調整課"))
        .await
        .unwrap();
    let company = c
        .app
        .person("csr@example.jp", &[role(c.p, Role::Coordinator, None)])
        .await;
    c.app
        .store
        .add_membership(None, company, c.company, None)
        .await
        .unwrap();
    let pref_client = c.app.signed_in("pref@example.jp").await;
    let company_client = c.app.signed_in("csr@example.jp").await;

    for path in [
        format!("/partnerships/{}/fans", c.p),
        format!("/partnerships/{}/entries", c.p),
        format!("/partnerships/{}/figures", c.p),
    ] {
        let page = pref_client
            .get(c.app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("福島 花子") && !page.contains("はなちゃん"),
            "{path} shows the name"
        );
    }
    let figures = pref_client
        .get(c.app.url(&format!("/partnerships/{}/figures", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        figures.contains("<strong id=\"registered\">1</strong>"),
        "but the fan is counted"
    );
    assert_eq!(
        pref_client
            .get(c.app.url(&format!("/fans/{fan}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let list = company_client
        .get(c.app.url(&format!("/partnerships/{}/fans?q=ふくしま", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("福島 花子"), "the company side sees its fans");

    // The fan opts in on their page; the change is recorded and takes effect.
    let mut form: Vec<(&str, String)> = vec![
        ("display_name", "はなちゃん".into()),
        ("full_name", "福島 花子".into()),
        ("full_name_kana", "ふくしま はなこ".into()),
        ("named_to_government", "yes".into()),
    ];
    form.push(("organisation_id", c.company.to_string()));
    assert_eq!(
        fan_client
            .post(c.app.url(&format!("/fans/{fan}")))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let history = fan_client
        .get(c.app.url(&format!("/fans/{fan}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(history.contains("県・市町村への氏名の提供: 同意"));
    let list = pref_client
        .get(c.app.url(&format!("/partnerships/{}/fans", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("福島 花子"));
}

#[tokio::test]
async fn a_rejected_entry_shows_its_reason_and_stops_counting() {
    let c = corps().await;
    c.app.person("r@example.jp", &[]).await;
    let fan_client = c.app.signed_in("r@example.jp").await;
    let fan = join(&c, &fan_client, true).await;
    post_entry(
        &c,
        &fan_client,
        fan,
        &[
            ("kind", "purchase"),
            ("occurred_on", "2026-11-03"),
            ("amount_yen", "３，０００円"),
            ("channel", "cafeteria"),
            ("products", "桃"),
        ],
    )
    .await;
    let entry = c.app.store.ledger(fan, &Default::default()).await.unwrap()[0].id;
    assert_eq!(
        c.app.store.entry(entry).await.unwrap().amount_yen,
        Some(3000)
    );
    c.app
        .person("coord@example.jp", &[role(c.p, Role::Coordinator, None)])
        .await;
    let coord = c.app.signed_in("coord@example.jp").await;
    let res = coord
        .post(c.app.url(&format!("/entries/{entry}/review")))
        .form(&[("status", "rejected"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = coord
        .post(c.app.url(&format!("/entries/{entry}/review")))
        .form(&[("status", "rejected"), ("reason", "金額が確認できません")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = fan_client
        .get(c.app.url(&format!("/fans/{fan}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("金額が確認できません") && page.contains("<strong id=\"points\">0</strong>")
    );
    // A member who is not a coordinator cannot review.
    c.app
        .person("m@example.jp", &[role(c.p, Role::Member, None)])
        .await;
    let member = c.app.signed_in("m@example.jp").await;
    assert_eq!(
        member
            .post(c.app.url(&format!("/entries/{entry}/review")))
            .form(&[("status", "active")])
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        member
            .get(c.app.url(&format!("/fans/{fan}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn entries_can_be_edited_and_withdrawn_only_within_the_edit_period() {
    let c = corps().await;
    c.app.person("w@example.jp", &[]).await;
    let client = c.app.signed_in("w@example.jp").await;
    let fan = join(&c, &client, false).await;
    post_entry(
        &c,
        &client,
        fan,
        &[
            ("kind", "post"),
            ("occurred_on", "2026-11-04"),
            ("url", "https://example.jp/a"),
        ],
    )
    .await;
    post_entry(
        &c,
        &client,
        fan,
        &[
            ("kind", "post"),
            ("occurred_on", "2026-11-05"),
            ("url", "https://example.jp/b"),
        ],
    )
    .await;
    let entries = c.app.store.ledger(fan, &Default::default()).await.unwrap();
    let (newer, older) = (entries[0].id, entries[1].id);
    let res = client
        .post(c.app.url(&format!("/entries/{newer}")))
        .form(&[
            ("kind", "post"),
            ("occurred_on", "2026-11-05"),
            ("url", "https://example.jp/b2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        c.app.store.entry(newer).await.unwrap().url.as_deref(),
        Some("https://example.jp/b2")
    );
    kizuna_store::testing::backdate_entry(&c.app.store, older, 40).await;
    let res = client
        .post(c.app.url(&format!("/entries/{older}")))
        .form(&[
            ("kind", "post"),
            ("occurred_on", "2026-11-04"),
            ("url", "https://example.jp/late"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("日数が経った"));
    assert_eq!(
        client
            .post(c.app.url(&format!("/entries/{older}/withdrawal")))
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    assert_eq!(
        client
            .post(c.app.url(&format!("/entries/{newer}/withdrawal")))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    // Someone else's entry is not theirs to touch.
    c.app.person("x@example.jp", &[]).await;
    let other = c.app.signed_in("x@example.jp").await;
    assert_eq!(
        other
            .post(c.app.url(&format!("/entries/{older}/withdrawal")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn pr_goods_are_requested_sent_and_the_address_erased() {
    let c = corps().await;
    c.app.person("g@example.jp", &[]).await;
    let client = c.app.signed_in("g@example.jp").await;
    let fan = join(&c, &client, false).await;
    let res = client
        .post(c.app.url(&format!("/fans/{fan}/goods")))
        .form(&[
            ("recipient", "福島 花子"),
            ("postal_code", "12"),
            ("address", "福島市"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = client
        .post(c.app.url(&format!("/fans/{fan}/goods")))
        .form(&[
            ("recipient", "福島 花子"),
            ("postal_code", "９６０８６７０"),
            ("address", "福島県福島市杉妻町2-16"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let request = c.app.store.goods_requests(fan).await.unwrap()[0].id;
    let coord = c
        .app
        .person("gc@example.jp", &[role(c.p, Role::Coordinator, None)])
        .await;
    c.app
        .store
        .add_membership(None, coord, c.company, None)
        .await
        .unwrap();
    let coord = c.app.signed_in("gc@example.jp").await;
    let page = coord
        .get(c.app.url(&format!("/fans/{fan}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("960-8670"),
        "the company-side coordinator sees where to send it"
    );
    assert_eq!(
        coord
            .post(c.app.url(&format!("/fans/{fan}/goods/{request}/sent")))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(
        client
            .post(c.app.url(&format!("/fans/{fan}/goods/{request}/erasure")))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert!(
        c.app.store.goods_requests(fan).await.unwrap()[0]
            .address
            .is_none()
    );
}

#[tokio::test]
async fn a_photo_is_stored_without_its_location_and_shown_only_to_those_allowed() {
    let c = corps().await;
    c.app.person("photo@example.jp", &[]).await;
    let client = c.app.signed_in("photo@example.jp").await;
    let fan = join(&c, &client, false).await;
    let jpeg = include_bytes!("../fixtures/exif.jpg").to_vec();
    let fields = [
        ("kind", "visit"),
        ("occurred_on", "2026-11-01"),
        ("municipality_code", "072044"),
    ];
    let res = post_entry_with_photo(
        &c,
        &client,
        fan,
        &fields,
        Some(("IMG_0001.JPG", b"%PDF-1.7".to_vec())),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("JPEG か PNG の画像"));
    let res = post_entry_with_photo(&c, &client, fan, &fields, Some(("IMG_0001.JPG", jpeg))).await;
    assert_eq!(res.status(), 303);
    let entry = &c.app.store.ledger(fan, &Default::default()).await.unwrap()[0];
    assert!(entry.photo_id.is_some());
    let res = client
        .get(c.app.url(&format!("/entries/{}/photo", entry.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let served = res.bytes().await.unwrap();
    assert!(
        served.starts_with(&[0xFF, 0xD8]) && !served.windows(11).any(|w| w == b"GPSLatitude"),
        "EXIF stripped before storing"
    );
    c.app.person("stranger@example.jp", &[]).await;
    let stranger = c.app.signed_in("stranger@example.jp").await;
    assert_eq!(
        stranger
            .get(c.app.url(&format!("/entries/{}/photo", entry.id)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn a_collective_challenge_shows_its_progress_on_the_home_page() {
    let c = corps().await;
    c.app
        .person("cc@example.jp", &[role(c.p, Role::Coordinator, None)])
        .await;
    let coord = c.app.signed_in("cc@example.jp").await;
    let form = [
        ("title", "3.11までに訪問1,000回"),
        ("kind", "visit"),
        ("goal", "1,000"),
        ("starts_on", "2026-01-01"),
        ("deadline", "2199-03-11"),
    ];
    let res = coord
        .post(c.app.url(&format!("/partnerships/{}/challenges", c.p)))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let bad = [
        ("title", "x"),
        ("kind", ""),
        ("goal", "10"),
        ("starts_on", "2026-03-11"),
        ("deadline", "2026-01-01"),
    ];
    let res = coord
        .post(c.app.url(&format!("/partnerships/{}/challenges", c.p)))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("期限は開始日より後"));

    c.app.person("v@example.jp", &[]).await;
    let fan_client = c.app.signed_in("v@example.jp").await;
    let fan = join(&c, &fan_client, false).await;
    for _ in 0..3 {
        post_entry(
            &c,
            &fan_client,
            fan,
            &[
                ("kind", "visit"),
                ("occurred_on", "2026-11-01"),
                ("municipality_code", "072044"),
            ],
        )
        .await;
    }
    let home = c
        .app
        .client()
        .get(c.app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("3.11までに訪問1,000回")
            && home.contains("<progress max=\"1000\" value=\"3\""),
        "the visitor sees the shared goal"
    );
}

#[tokio::test]
async fn the_leaderboard_lists_only_fans_who_opted_in_and_only_for_the_partnerships_people() {
    let c = corps().await;
    c.app.person("top@example.jp", &[]).await;
    let top = c.app.signed_in("top@example.jp").await;
    let fan = join(&c, &top, false).await;
    post_entry(
        &c,
        &top,
        fan,
        &[
            ("kind", "visit"),
            ("occurred_on", "2026-11-01"),
            ("municipality_code", "072044"),
        ],
    )
    .await;
    let page = top
        .get(c.app.url(&format!("/partnerships/{}", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("id=\"leaderboard\""),
        "nobody has opted in yet"
    );
    let form = [
        ("display_name", "ももたろう"),
        ("full_name", "福島 花子"),
        ("full_name_kana", "ふくしま はなこ"),
        ("on_leaderboard", "yes"),
    ];
    top.post(c.app.url(&format!("/fans/{fan}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let page = top
        .get(c.app.url(&format!("/partnerships/{}", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<li>ももたろう — 10 ポイント</li>"),
        "nickname only"
    );
    let visitor = c
        .app
        .client()
        .get(c.app.url(&format!("/partnerships/{}", c.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !visitor.contains("ももたろう"),
        "visitors do not see the leaderboard"
    );
}

#[tokio::test]
async fn the_fans_api_follows_the_same_rules_as_the_pages() {
    let c = corps().await;
    c.app.person("apifan@example.jp", &[]).await;
    let web = c.app.signed_in("apifan@example.jp").await;
    let fan = join(&c, &web, false).await;
    let mine: serde_json::Value = web
        .get(c.app.url("/api/v1/me/fans"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["id"], fan);
    let res = web
        .post(c.app.url(&format!("/api/v1/fans/{fan}/entries")))
        .json(&serde_json::json!({"kind": "visit", "occurred_on": "2026-11-01", "municipality_code": "075213"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let entry: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (entry["kind"].as_str(), entry["points"].as_i64()),
        (Some("visit"), Some(10))
    );
    let res = web
        .post(c.app.url(&format!("/api/v1/fans/{fan}/entries")))
        .json(&serde_json::json!({"kind": "purchase", "occurred_on": "2026-11-01", "amount_yen": "-5", "channel": "shop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["field"].as_str()),
        (Some("too_small"), Some("amount_yen"))
    );
    let me: serde_json::Value = web
        .get(c.app.url(&format!("/api/v1/fans/{fan}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["badges"], serde_json::json!(["first_visit"]));

    let pref = c
        .app
        .person("apipref@example.jp", &[role(c.p, Role::Coordinator, None)])
        .await;
    c.app
        .store
        .add_membership(None, pref, c.prefecture, None)
        .await
        .unwrap();
    let pref = c.app.signed_in("apipref@example.jp").await;
    let list: serde_json::Value = pref
        .get(c.app.url(&format!("/api/v1/partnerships/{}/fans", c.p)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        0,
        "not named, so not listed"
    );
    assert_eq!(
        pref.get(c.app.url(&format!("/api/v1/fans/{fan}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let figures: serde_json::Value = pref
        .get(c.app.url(&format!("/api/v1/partnerships/{}/figures", c.p)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            figures["registered"].as_i64(),
            figures["municipalities_reached"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        web.get(c.app.url(&format!("/api/v1/partnerships/{}/figures", c.p)))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let id = entry["id"].as_i64().unwrap();
    assert_eq!(
        web.delete(c.app.url(&format!("/api/v1/entries/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let doc: serde_json::Value = reqwest::get(c.app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/me/fans",
        "/api/v1/fans/{id}/entries",
        "/api/v1/partnerships/{id}/figures",
        "/api/v1/partnerships/{id}/challenges",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p}");
    }
}

#[tokio::test]
async fn a_long_ledger_is_shown_fifty_entries_at_a_time() {
    let c = corps().await;
    c.app.person("long@example.jp", &[]).await;
    let client = c.app.signed_in("long@example.jp").await;
    let fan = join(&c, &client, false).await;
    for i in 0..60 {
        let e = kizuna_domain::ledger::NewEntry::parse(
            &kizuna_domain::ledger::EntryInput {
                kind: "post".into(),
                occurred_on: format!("2026-10-{:02}", i % 28 + 1),
                url: format!("https://example.jp/{i}"),
                ..Default::default()
            },
            "2026-11-30",
        )
        .unwrap();
        c.app.store.add_entry(fan, &e).await.unwrap();
    }
    let first = client
        .get(c.app.url(&format!("/fans/{fan}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(first.matches("rel=\"noopener nofollow\"").count(), 50);
    assert!(first.contains("<strong>60</strong>") && first.contains("page=1\">古い記録</a>"));
    let second = client
        .get(c.app.url(&format!("/fans/{fan}?page=1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        second.matches("rel=\"noopener nofollow\"").count(),
        10,
        "the last ten on page two"
    );
    assert!(second.contains("新しい記録") && !second.contains("古い記録</a>"));
}
