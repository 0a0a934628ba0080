//! Event pages over HTTP: organisers create through the form (errors in
//! Japanese, nothing stored), people register and get their QR code, the
//! calendar feed follows them, staff check in on the check-in page.

use crate::support::{TestApp, role};
use kizuna_domain::Role;

struct World {
    app: TestApp,
    partnership: i64,
    company: i64,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let company = app.company("日本電気株式会社").await;
    let partnership = app.partnership(&[company]).await;
    app.person(
        "coordinator@example.jp",
        &[role(partnership, Role::Coordinator, None)],
    )
    .await;
    app.person(
        "member@example.jp",
        &[role(partnership, Role::Member, None)],
    )
    .await;
    World {
        app,
        partnership,
        company,
    }
}

fn form(w: &World, ends_at: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "dialogue".into()),
        ("title", "県職員との対話会".into()),
        ("organiser_id", w.company.to_string()),
        ("venue", "福島県庁".into()),
        ("municipality_code", "072010".into()),
        ("starts_at", "2030-12-10T14:00".into()),
        ("ends_at", ends_at.into()),
        ("capacity", "10".into()),
        ("visibility", "partnership".into()),
        ("offer_hours", "24".into()),
    ]
}

#[tokio::test]
async fn an_event_is_created_registered_for_checked_in_and_followed_in_a_calendar() {
    let w = world().await;
    let app = &w.app;
    let coordinator = app.signed_in("coordinator@example.jp").await;
    let new = coordinator
        .get(app.url(&format!("/partnerships/{}/events/new", w.partnership)))
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    assert!(new.text().await.unwrap().contains("イベントを作成"));

    // A bad form comes back with the message by its field; nothing stored.
    let res = coordinator
        .post(app.url(&format!("/partnerships/{}/events", w.partnership)))
        .form(&form(&w, "2030-12-10T13:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("終了日時は開始日時より後にしてください"),
        "{html}"
    );
    assert!(
        html.contains("value=\"県職員との対話会\""),
        "what was typed is kept"
    );
    let res = coordinator
        .post(app.url(&format!("/partnerships/{}/events", w.partnership)))
        .form(&form(&w, "2030-12-10T16:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // Visitors do not see a partnership event; the member does.
    let listed = |c: reqwest::Client, path: String| async move {
        c.get(path).send().await.unwrap().text().await.unwrap()
    };
    assert!(
        !listed(app.client(), app.url("/events"))
            .await
            .contains("県職員との対話会")
    );
    let member = app.signed_in("member@example.jp").await;
    assert!(
        listed(member.clone(), app.url("/events"))
            .await
            .contains("県職員との対話会")
    );
    let calendar = listed(
        member.clone(),
        app.url("/events?view=calendar&month=2030-12"),
    )
    .await;
    assert!(
        calendar.contains(&format!("href=\"/events/{id}\"")),
        "in the month grid"
    );
    assert!(calendar.contains("2030年12月"));
    assert!(
        listed(member.clone(), app.url("/events"))
            .await
            .contains("残り 10"),
        "10 places before anyone registers"
    );

    // Register: confirmed, with a QR code and the code on the page.
    let res = member
        .post(app.url(&format!("/events/{id}/registrations")))
        .form(&[("guests", "１")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/events/{id}?notice=registration-confirmed").as_str()
    );
    let page = listed(
        member.clone(),
        app.url(&format!("/events/{id}?notice=registration-confirmed")),
    )
    .await;
    assert!(page.contains("参加が確定しました"));
    // The list (read and rendered once a moment) shows the two places taken at once.
    let list = listed(member.clone(), app.url("/events")).await;
    assert!(list.contains("残り 8"), "{list}");
    assert!(page.contains("<svg role=\"img\" aria-label=\"受付用QRコード\""));
    let code = page
        .split("id=\"registration-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 8);
    assert!(
        listed(member.clone(), app.url("/me/events"))
            .await
            .contains("県職員との対話会")
    );

    // The calendar feed: a secret URL listing the event, until revoked.
    let html = member
        .post(app.url("/me/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let feed = html
        .split("id=\"feed-url\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let res = reqwest::get(&feed).await.unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = res.text().await.unwrap();
    assert!(
        ics.contains("SUMMARY:県職員との対話会") && ics.contains("DTSTART:20301210T050000Z"),
        "{ics}"
    );
    // The partnership's public feed does not show a partnership-only event.
    let public = reqwest::get(app.url(&format!("/partnerships/{}/calendar.ics", w.partnership)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.starts_with("BEGIN:VCALENDAR") && !public.contains("県職員との対話会"));
    member
        .post(app.url("/me/calendar/revocation"))
        .send()
        .await
        .unwrap();
    assert_eq!(reqwest::get(&feed).await.unwrap().status(), 404);

    // Check-in: only organisers; the QR link fills the code in.
    assert_eq!(
        member
            .get(app.url(&format!("/events/{id}/check-in")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let staff_page = listed(
        coordinator.clone(),
        app.url(&format!(
            "/events/{id}/check-in?code={}",
            code.to_lowercase()
        )),
    )
    .await;
    assert!(staff_page.contains(&format!("value=\"{code}\"")));
    let bad = coordinator
        .post(app.url(&format!("/events/{id}/check-in")))
        .form(&[("code", "ZZZZ9999")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("このコードの申込は見つかりません")
    );
    let done = coordinator
        .post(app.url(&format!("/events/{id}/check-in")))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        done.contains("受付しました") && done.contains("試験 太郎"),
        "{done}"
    );

    // The participant list exports for Excel, guests counted.
    let csv = coordinator
        .get(app.url(&format!("/events/{id}/participants.csv")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        text.contains("member@example.jp") && text.contains("参加確定"),
        "{text}"
    );
    let page = listed(
        coordinator.clone(),
        app.url(&format!("/events/{id}/participants")),
    )
    .await;
    assert!(page.contains("席（同伴者を含む）"));
    assert_eq!(app.store.attendance(id).await.unwrap().seats_taken, 2);
}

#[tokio::test]
async fn people_outside_an_event_cannot_see_or_organise_it() {
    let w = world().await;
    let app = &w.app;
    let outsider = {
        app.person("outsider@example.jp", &[]).await;
        app.signed_in("outsider@example.jp").await
    };
    let coordinator = app.signed_in("coordinator@example.jp").await;
    let res = coordinator
        .post(app.url(&format!("/partnerships/{}/events", w.partnership)))
        .form(&form(&w, "2030-12-10T16:00"))
        .send()
        .await
        .unwrap();
    let id = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        outsider
            .get(app.url(&format!("/events/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        outsider
            .post(app.url(&format!("/events/{id}/registrations")))
            .form(&[("guests", "0")])
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // A member of the partnership sees it but may not organise it.
    let member = app.signed_in("member@example.jp").await;
    assert_eq!(
        member
            .get(app.url(&format!("/events/{id}/edit")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        member
            .get(app.url(&format!("/partnerships/{}/events/new", w.partnership)))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn registration_questions_are_asked_required_and_exported() {
    let w = world().await;
    let app = &w.app;
    let coordinator = app.signed_in("coordinator@example.jp").await;
    let res = coordinator
        .post(app.url(&format!("/partnerships/{}/events", w.partnership)))
        .form(&form(&w, "2030-12-10T16:00"))
        .send()
        .await
        .unwrap();
    let id = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // A choice question with a single choice is refused with its reason.
    let bad = coordinator
        .post(app.url(&format!("/events/{id}/questions")))
        .form(&[
            ("label", "昼食"),
            ("kind", "choice"),
            ("choices", "弁当"),
            ("required", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("選択肢を2つ以上"));
    let ok = coordinator
        .post(app.url(&format!("/events/{id}/questions")))
        .form(&[
            ("label", "昼食"),
            ("kind", "choice"),
            ("choices", "弁当\n不要"),
            ("required", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let event_id: i64 = id.parse().unwrap();
    let q = app.store.questions(event_id).await.unwrap().remove(0);

    let member = app.signed_in("member@example.jp").await;
    let page = member
        .get(app.url(&format!("/events/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("name=\"q{}\" value=\"弁当\"", q.id)));
    let missing = member
        .post(app.url(&format!("/events/{id}/registrations")))
        .form(&[("guests", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 422);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("必須の質問に回答してください")
    );
    assert!(
        app.store.participants(event_id).await.unwrap().is_empty(),
        "nothing stored"
    );
    let field = format!("q{}", q.id);
    let res = member
        .post(app.url(&format!("/events/{id}/registrations")))
        .form(&[("guests", "0"), (field.as_str(), "弁当")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let csv = coordinator
        .get(app.url(&format!("/events/{id}/participants.csv")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(",昼食"));
    assert!(lines.next().unwrap().ends_with(",弁当"));
    // The API shows the question and takes answers by question id.
    let hidden = reqwest::get(app.url(&format!("/api/v1/events/{id}")))
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404, "partnership events are not public");
    let detail: serde_json::Value = member
        .get(app.url(&format!("/api/v1/events/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["title"], "県職員との対話会");
    assert_eq!(
        detail["questions"][0]["choices"],
        serde_json::json!(["弁当", "不要"])
    );
    assert_eq!(detail["questions"][0]["required"], true);
}

#[tokio::test]
async fn a_repeating_event_and_its_shifts_are_made_from_the_pages() {
    let w = world().await;
    let app = &w.app;
    let coordinator = app.signed_in("coordinator@example.jp").await;
    let mut f = form(&w, "2030-12-10T16:00");
    f.push(("repeat", "weekly".into()));
    f.push(("repeat_count", "３".into()));
    let res = coordinator
        .post(app.url(&format!("/partnerships/{}/events", w.partnership)))
        .form(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let id = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = coordinator
        .get(app.url(&format!("/events/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2030年12月17日(火) 14:00〜16:00") && page.contains("2030年12月24日(火)"),
        "other dates listed"
    );
    let res = coordinator
        .post(app.url(&format!("/events/{id}/shifts")))
        .form(&[
            ("title", "午前の部"),
            ("starts_at", "2030-12-10T14:00"),
            ("ends_at", "2030-12-10T13:00"),
            ("capacity", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("終了日時は開始日時より後")
    );
    let res = coordinator
        .post(app.url(&format!("/events/{id}/shifts")))
        .form(&[
            ("title", "前半"),
            ("starts_at", "2030-12-10T14:00"),
            ("ends_at", "2030-12-10T15:00"),
            ("capacity", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = coordinator
        .get(app.url(&format!("/events/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(">前半</a>"),
        "the shift is listed on its event"
    );
}
