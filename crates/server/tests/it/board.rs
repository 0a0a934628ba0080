//! The challenge board over HTTP: staff draft with suggestions, publish,
//! other municipalities join, coordinators review, merge and split; form
//! errors in Japanese; files checked; names hidden from the company side in
//! pages and the API alike; followers get one digest.

use crate::support::{TestApp, role};
use kizuna_domain::Role;
use serde_json::Value;

struct World {
    app: TestApp,
    partnership: i64,
    fukushima: i64,
    aizu: i64,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let company = app.company("日本電気株式会社").await;
    let fukushima = app.municipality("072010").await;
    let aizu = app.municipality("072028").await;
    let partnership = app.partnership(&[company, fukushima, aizu]).await;
    let f = app
        .person(
            "f@city.fukushima.jp",
            &[role(partnership, Role::MunicipalStaff, Some(fukushima))],
        )
        .await;
    app.store
        .add_membership(None, f, fukushima, None)
        .await
        .unwrap();
    let a = app
        .person(
            "a@city.aizuwakamatsu.jp",
            &[role(partnership, Role::MunicipalStaff, Some(aizu))],
        )
        .await;
    app.store.add_membership(None, a, aizu, None).await.unwrap();
    app.person(
        "coordinator@example.jp",
        &[role(partnership, Role::Coordinator, None)],
    )
    .await;
    let e = app
        .person(
            "employee@example.jp",
            &[role(partnership, Role::Member, None)],
        )
        .await;
    app.store
        .add_membership(None, e, company, None)
        .await
        .unwrap();
    World {
        app,
        partnership,
        fukushima,
        aizu,
    }
}

fn form<'a>(
    org: i64,
    title: &'a str,
    burden: &'a str,
    publish: &'a str,
) -> Vec<(&'static str, String)> {
    vec![
        ("organisation_id", org.to_string()),
        ("title", title.into()),
        (
            "description",
            "本会議や委員会の録音を職員が聞き取って会議録を作成している。公開まで二か月かかる。"
                .into(),
        ),
        ("category", "documents".into()),
        ("current_process", "録音を再生しながら手入力".into()),
        ("burden_hours", burden.into()),
        ("visibility", "public".into()),
        ("publish", publish.into()),
    ]
}

/// The id in a `/challenges/{id}?…` redirect.
fn posted_id(res: &reqwest::Response) -> i64 {
    let loc = res.headers()["location"].to_str().unwrap();
    loc.trim_start_matches("/challenges/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_challenge_is_drafted_with_suggestions_published_joined_and_reviewed() {
    let w = world().await;
    let app = &w.app;
    let staff_f = app.signed_in("f@city.fukushima.jp").await;
    let new = staff_f
        .get(app.url(&format!("/partnerships/{}/board/new", w.partnership)))
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    assert!(
        new.text()
            .await
            .unwrap()
            .contains("hx-get=\"/board/similar\"")
    );

    // A burden out of range: a Japanese error, nothing stored.
    let res = staff_f
        .post(app.url(&format!("/partnerships/{}/board", w.partnership)))
        .form(&form(
            w.fukushima,
            "議会の会議録作成に時間がかかる",
            "9000",
            "1",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("field-error") && body.contains("大きすぎます"),
        "{body}"
    );
    assert!(
        app.store
            .board(&kizuna_domain::Viewer::visitor(), &Default::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Staff may post only for their own municipality.
    let res = staff_f
        .post(app.url(&format!("/partnerships/{}/board", w.partnership)))
        .form(&form(w.aizu, "他の市の課題", "10", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // A draft first, then published through the status form (no reason needed).
    let res = staff_f
        .post(app.url(&format!("/partnerships/{}/board", w.partnership)))
        .form(&form(
            w.fukushima,
            "議会の会議録作成に時間がかかる",
            "４０",
            "0",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let id = posted_id(&res);
    let visitor = app.client();
    assert_eq!(
        visitor
            .get(app.url(&format!("/challenges/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let res = staff_f
        .post(app.url(&format!("/challenges/{id}/status")))
        .form(&[("to", "open"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = visitor
        .get(app.url(&format!("/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("受付中") && page.contains("月40時間"),
        "{page}"
    );
    let board = visitor
        .get(app.url("/board"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(board.contains("status-open\">受付中"), "{board}");

    // Aizu drafts the same problem and is shown Fukushima's.
    let staff_a = app.signed_in("a@city.aizuwakamatsu.jp").await;
    let fragment = staff_a
        .get(app.url("/board/similar"))
        .query(&[
            ("title", "委員会の議事録の文字起こし"),
            ("description", "録音を聞きながら会議録を入力している"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fragment.contains(&format!("/challenges/{id}#endorse")),
        "{fragment}"
    );
    assert!(fragment.contains("似た課題がすでにあります"));
    // …and joins it instead.
    let res = staff_a
        .post(app.url(&format!("/challenges/{id}/endorsements")))
        .form(&[
            ("organisation_id", w.aizu.to_string()),
            ("burden_hours", "30".into()),
            ("note", "委員会も同じ".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = visitor
        .get(app.url(&format!("/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("2自治体・合計 月70時間"), "{page}");
    assert!(page.contains("委員会も同じ"));
    // Joining twice is refused with a message.
    let res = staff_a
        .post(app.url(&format!("/challenges/{id}/endorsements")))
        .form(&[
            ("organisation_id", w.aizu.to_string()),
            ("burden_hours", "5".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("すでに参加しています"));

    // Aizu cannot move Fukushima's challenge; the coordinator reviews it with a reason.
    let res = staff_a
        .post(app.url(&format!("/challenges/{id}/status")))
        .form(&[("to", "closed"), ("reason", "勝手に")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let coordinator = app.signed_in("coordinator@example.jp").await;
    let res = coordinator
        .post(app.url(&format!("/challenges/{id}/status")))
        .form(&[("to", "under_review"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("変更の理由を書いてください")
    );
    coordinator
        .post(app.url(&format!("/challenges/{id}/status")))
        .form(&[
            ("to", "under_review"),
            ("reason", "音声認識の導入を検討します"),
        ])
        .send()
        .await
        .unwrap();
    let board = visitor
        .get(app.url("/board"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        board.contains("status-under_review\">検討中"),
        "the board's rendered list follows the revision: {board}"
    );
    let page = visitor
        .get(app.url(&format!("/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("「受付中」から「検討中」へ") && page.contains("音声認識の導入を検討します"),
        "{page}"
    );
    // Questions and answers: staff and coordinators only.
    let employee = app.signed_in("employee@example.jp").await;
    let res = employee
        .post(app.url(&format!("/challenges/{id}/comments")))
        .form(&[("body", "社員です")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    coordinator
        .post(app.url(&format!("/challenges/{id}/comments")))
        .form(&[("body", "録音はどの形式ですか")])
        .send()
        .await
        .unwrap();
    let board = visitor
        .get(app.url("/board?q=会議録"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(board.contains(&format!("/challenges/{id}\"")), "{board}");
    let map = visitor
        .get(app.url("/board?view=map"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(map.contains("data-code=\"072010\" data-count=\"1\""));
    let muni = visitor
        .get(app.url("/municipalities/072010"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(muni.contains("議会の会議録作成に時間がかかる"));
}

#[tokio::test]
async fn files_are_checked_and_names_hidden_from_the_company_side() {
    let w = world().await;
    let app = &w.app;
    let staff_f = app.signed_in("f@city.fukushima.jp").await;
    let mut f = form(w.fukushima, "庁内限定の課題", "10", "1");
    f.push(("hide_author", "1".into()));
    f.retain(|(k, _)| *k != "visibility");
    f.push(("visibility", "partnership".into()));
    let res = staff_f
        .post(app.url(&format!("/partnerships/{}/board", w.partnership)))
        .form(&f)
        .send()
        .await
        .unwrap();
    let id = posted_id(&res);
    let upload = |name: &'static str, bytes: &'static [u8]| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        reqwest::multipart::Form::new().part("file", part)
    };
    let res = staff_f
        .post(app.url(&format!("/challenges/{id}/attachments")))
        .multipart(upload("様式.exe", b"MZ\x90\x00\x03"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("この形式のファイルは添付できません")
    );
    let res = staff_f
        .post(app.url(&format!("/challenges/{id}/attachments")))
        .multipart(upload("申請書様式.pdf", b"%PDF-1.7\n%demo\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let files = app
        .store
        .attachments(
            &kizuna_domain::Viewer {
                is_instance_admin: true,
                ..Default::default()
            },
            id,
        )
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    let path = format!("/attachments/{}", files[0].id);
    assert_eq!(
        app.client()
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "partnership only"
    );
    let employee = app.signed_in("employee@example.jp").await;
    let res = employee.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.7\n%demo\n");

    // The company side sees the challenge, not who wrote it; Aizu's staff do.
    let page = employee
        .get(app.url(&format!("/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<dt>投稿者</dt><dd>（非表示）</dd>"),
        "{page}"
    );
    let staff_a = app.signed_in("a@city.aizuwakamatsu.jp").await;
    let page = staff_a
        .get(app.url(&format!("/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<dt>投稿者</dt><dd>試験 太郎</dd>"));
    let api: Value = employee
        .get(app.url(&format!("/api/v1/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["challenge"]["author_name"], Value::Null);
    assert!(
        api["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["actor_name"].is_null()),
        "{api}"
    );
    assert_eq!(
        app.client()
            .get(app.url(&format!("/api/v1/challenges/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_api_posts_joins_merges_and_splits_with_problem_documents() {
    let w = world().await;
    let app = &w.app;
    let staff_f = app.signed_in("f@city.fukushima.jp").await;
    let body = |org: i64, title: &str, hours: i64| {
        serde_json::json!({
            "partnership_id": w.partnership, "organisation_id": org, "title": title, "category": "counter", "burden_hours": hours,
            "description": "転入の手続きで住民が何枚もの申請書に同じことを手書きしている",
        })
    };
    let res = staff_f
        .post(app.url("/api/v1/challenges"))
        .json(&body(w.fukushima, "転入届の記入が負担", 6000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        (p["code"].as_str(), p["field"].as_str()),
        (Some("too_large"), Some("burden_hours"))
    );
    let a: Value = staff_f
        .post(app.url("/api/v1/challenges"))
        .json(&body(w.fukushima, "転入届の記入が負担", 40))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let a_id = a["challenge"]["id"].as_i64().unwrap();
    let staff_a = app.signed_in("a@city.aizuwakamatsu.jp").await;
    let b: Value = staff_a
        .post(app.url("/api/v1/challenges"))
        .json(&body(w.aizu, "引っ越しの手続きで何度も書かせている", 20))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b_id = b["challenge"]["id"].as_i64().unwrap();
    let similar: Value = staff_a
        .get(app.url("/api/v1/challenges/similar"))
        .query(&[("title", "転入の申請書を何枚も手書き")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(similar.as_array().unwrap().len() >= 2, "{similar}");
    let coordinator = app.signed_in("coordinator@example.jp").await;
    let clusters: Value = coordinator
        .get(app.url(&format!(
            "/api/v1/partnerships/{}/challenge-clusters",
            w.partnership
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = clusters[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a_id, b_id]);
    assert_eq!(
        staff_a
            .get(app.url(&format!(
                "/api/v1/partnerships/{}/challenge-clusters",
                w.partnership
            )))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let merged: Value = coordinator
        .post(app.url(&format!("/api/v1/challenges/{b_id}/merge")))
        .json(&serde_json::json!({"into": a_id, "reason": "同じ課題"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(merged["challenge"]["shared_count"], 2);
    assert_eq!(merged["challenge"]["total_burden"], 60);
    let page = coordinator
        .get(app.url(&format!("/partnerships/{}/board", w.partnership)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let split: Value = coordinator
        .post(app.url(&format!("/api/v1/challenges/{b_id}/split")))
        .json(&serde_json::json!({"reason": "別の課題"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(split["challenge"]["status"], "open");
    let res = coordinator
        .post(app.url(&format!("/api/v1/challenges/{b_id}/split")))
        .json(&serde_json::json!({"reason": "もう一度"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let mine: Value = staff_a
        .get(app.url("/api/v1/me/challenges"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let spec: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/challenges",
        "/api/v1/challenges/{id}/endorsements",
        "/api/v1/partnerships/{id}/challenge-clusters",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
}

#[tokio::test]
async fn followers_get_one_digest_and_the_export_lists_board_activity() {
    let w = world().await;
    let app = &w.app;
    let staff_a = app.signed_in("a@city.aizuwakamatsu.jp").await;
    let res = staff_a
        .post(app.url(&format!("/organisations/{}/follow", w.fukushima)))
        .form(&[("on", "1"), ("next", "/municipalities/072010")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["location"],
        "/municipalities/072010?notice=followed"
    );
    let staff_f = app.signed_in("f@city.fukushima.jp").await;
    let res = staff_f
        .post(app.url(&format!("/partnerships/{}/board", w.partnership)))
        .form(&form(
            w.fukushima,
            "議会の会議録作成に時間がかかる",
            "40",
            "1",
        ))
        .send()
        .await
        .unwrap();
    let id = posted_id(&res);
    let coordinator = app.signed_in("coordinator@example.jp").await;
    coordinator
        .post(app.url(&format!("/challenges/{id}/status")))
        .form(&[("to", "under_review"), ("reason", "確認します")])
        .send()
        .await
        .unwrap();
    let mails = kizuna_server::board_mail::BoardMails {
        public_url: app.base.clone(),
    };
    assert_eq!(app.store.send_board_digests(&mails).await.unwrap(), 1);
    let sent = app.store.mail_to("a@city.aizuwakamatsu.jp").await.unwrap();
    assert_eq!(sent.len(), 1, "one digest, not one mail per change");
    assert!(sent[0].subject.contains("2件"), "{}", sent[0].subject);
    assert!(
        sent[0].text_body.contains("検討中")
            && sent[0].text_body.contains(&format!("/challenges/{id}"))
    );

    let data: Value = staff_f
        .get(app.url("/me/data"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        data["challenges_written"][0]["text"],
        "議会の会議録作成に時間がかかる"
    );
    let data: Value = staff_a
        .get(app.url("/me/data"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(data["follows"].as_array().unwrap().len(), 1);
}
