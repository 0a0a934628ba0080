//! Events over HTTP: the API's registration and cancellation with their
//! statuses, problem documents for every refusal, the confirmation mail
//! with an .ics a real iCalendar parser reads in Japan time.

use crate::api::problem;
use crate::support::{TestApp, role};
use kizuna_domain::Role;
use serde_json::{Value, json};

/// A bearer token for `person`, made the way My page makes one.
async fn token(app: &TestApp, person: i64) -> String {
    let secret = kizuna_store::tokens::new_secret("kz_");
    app.store
        .create_api_token(
            person,
            "test",
            &kizuna_store::tokens::hash(&secret),
            "kz_test",
        )
        .await
        .unwrap();
    secret
}

struct Setup {
    app: TestApp,
    partnership: i64,
    company: i64,
    coordinator: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let company = app.company("日本電気株式会社").await;
    let partnership = app.partnership(&[company]).await;
    let c = app
        .person(
            "coordinator@example.jp",
            &[role(partnership, Role::Coordinator, None)],
        )
        .await;
    let coordinator = token(&app, c).await;
    Setup {
        app,
        partnership,
        company,
        coordinator,
    }
}

/// Creates an event through the API; `extra` overrides fields.
async fn create(s: &Setup, extra: Value) -> Value {
    let mut body = json!({
        "kind": "dialogue",
        "title": "県職員との対話会",
        "organiser_id": s.company.to_string(),
        "venue": "福島県庁 本庁舎2階",
        "address": "福島市杉妻町2-16",
        "municipality_code": "072010",
        "starts_at": "2030-12-10T14:00",
        "ends_at": "2030-12-10T16:00",
        "capacity": "2",
        "visibility": "public",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = s
        .app
        .client()
        .post(
            s.app
                .url(&format!("/api/v1/partnerships/{}/events", s.partnership)),
        )
        .bearer_auth(&s.coordinator)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn register(s: &Setup, token: &str, event: i64) -> reqwest::Response {
    s.app
        .client()
        .post(s.app.url(&format!("/api/v1/events/{event}/registrations")))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn registering_answers_confirmed_or_waitlisted_and_cancelling_moves_the_waitlist() {
    let s = setup().await;
    let event = create(&s, json!({})).await;
    let id = event["id"].as_i64().unwrap();
    assert_eq!(event["places_left"], 2);
    assert_eq!(event["starts_at"], 1_923_109_200, "14:00 JST is 05:00 UTC");
    assert_eq!(event["municipality_name"], "福島市");

    let mut tokens = Vec::new();
    for who in ["a", "b", "c"] {
        let p = s.app.person(&format!("{who}@example.jp"), &[]).await;
        tokens.push(token(&s.app, p).await);
    }
    let mut statuses = Vec::new();
    let mut regs = Vec::new();
    for t in &tokens {
        let res = register(&s, t, id).await;
        assert_eq!(res.status(), 201);
        let r: Value = res.json().await.unwrap();
        statuses.push(r["status"].as_str().unwrap().to_string());
        regs.push(r);
    }
    assert_eq!(statuses, ["confirmed", "confirmed", "waitlisted"]);
    assert_eq!(regs[0]["code"].as_str().unwrap().len(), 8);

    // Twice is refused, as a problem document in the caller's language.
    let body = problem(
        register(&s, &tokens[0], id).await,
        409,
        "already_registered",
    )
    .await;
    assert!(body["title"].as_str().unwrap().contains("すでに申し込んで"));

    // Someone else's registration is not theirs to cancel.
    let res = s
        .app
        .client()
        .delete(
            s.app
                .url(&format!("/api/v1/registrations/{}", regs[0]["id"])),
        )
        .bearer_auth(&tokens[1])
        .send()
        .await
        .unwrap();
    problem(res, 404, "not_found").await;

    // A cancels; C is offered the place and accepts it.
    let res = s
        .app
        .client()
        .delete(
            s.app
                .url(&format!("/api/v1/registrations/{}", regs[0]["id"])),
        )
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "cancelled");
    let mine: Value = s
        .app
        .client()
        .get(s.app.url("/api/v1/me/registrations"))
        .bearer_auth(&tokens[2])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["status"], "offered");
    assert!(mine[0]["offer_expires_at"].as_i64().is_some());
    let res = s
        .app
        .client()
        .post(s.app.url(&format!(
            "/api/v1/registrations/{}/acceptance",
            regs[2]["id"]
        )))
        .bearer_auth(&tokens[2])
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "confirmed");

    // The organiser sees the list; a participant may not.
    let res = s
        .app
        .client()
        .get(s.app.url(&format!("/api/v1/events/{id}/registrations")))
        .bearer_auth(&tokens[1])
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
    let list: Value = s
        .app
        .client()
        .get(s.app.url(&format!("/api/v1/events/{id}/registrations")))
        .bearer_auth(&s.coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let confirmed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "confirmed")
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(confirmed, ["b@example.jp", "c@example.jp"]);

    // Check-in by code: the forged one is refused, the real one once.
    let check_in = |code: String| {
        let c = s.app.client();
        let url = s.app.url(&format!("/api/v1/events/{id}/check-ins"));
        let token = s.coordinator.clone();
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap()
        }
    };
    problem(check_in("ZZZZ9999".into()).await, 409, "unknown_code").await;
    let code = regs[1]["code"].as_str().unwrap().to_lowercase();
    let first: Value = check_in(code.clone()).await.json().await.unwrap();
    assert_eq!(first["already_checked_in"], false);
    let again: Value = check_in(code).await.json().await.unwrap();
    assert_eq!(again["already_checked_in"], true);
}

#[tokio::test]
async fn bad_events_and_closed_registrations_are_clear_problems_and_store_nothing() {
    let s = setup().await;
    let post = |body: Value| {
        let c = s.app.client();
        let url = s
            .app
            .url(&format!("/api/v1/partnerships/{}/events", s.partnership));
        let token = s.coordinator.clone();
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let body = problem(
        post(json!({"kind": "dialogue", "title": "逆転", "organiser_id": s.company.to_string(), "venue": "県庁",
            "starts_at": "2030-12-10T16:00", "ends_at": "2030-12-10T14:00"}))
        .await,
        422,
        "end_before_start",
    )
    .await;
    assert_eq!(body["field"], "ends_at");
    problem(
        post(
            json!({"kind": "party", "title": "x", "organiser_id": "1", "venue": "x",
            "starts_at": "2030-12-10T14:00", "ends_at": "2030-12-10T16:00"}),
        )
        .await,
        422,
        "unknown_event_kind",
    )
    .await;
    // Nobody without a role in the partnership creates events.
    let outsider = s.app.person("outsider@example.jp", &[]).await;
    let outsider = token(&s.app, outsider).await;
    let res = s
        .app
        .client()
        .post(s.app.url(&format!("/api/v1/partnerships/{}/events", s.partnership)))
        .bearer_auth(&outsider)
        .json(&json!({"kind": "dialogue", "title": "勝手に", "organiser_id": s.company.to_string(), "venue": "x",
            "starts_at": "2030-12-10T14:00", "ends_at": "2030-12-10T16:00"}))
        .send()
        .await
        .unwrap();
    problem(res, 403, "forbidden").await;
    let listed: Value = s
        .app
        .client()
        .get(s.app.url("/api/v1/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing was stored");

    // Registration closed; lowering capacity below the confirmed.
    let closed = create(
        &s,
        json!({"registration_opens_at": "2020-01-01T00:00", "registration_closes_at": "2020-02-01T00:00"}),
    )
    .await;
    problem(
        register(&s, &outsider, closed["id"].as_i64().unwrap()).await,
        409,
        "registration_closed",
    )
    .await;
    let open = create(&s, json!({})).await;
    let id = open["id"].as_i64().unwrap();
    assert_eq!(register(&s, &outsider, id).await.status(), 201);
    let res = s
        .app
        .client()
        .put(s.app.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&s.coordinator)
        .json(&json!({"kind": "dialogue", "title": "県職員との対話会", "organiser_id": s.company.to_string(),
            "venue": "県庁", "starts_at": "2030-12-10T14:00", "ends_at": "2030-12-10T16:00", "capacity": "0"}))
        .send()
        .await
        .unwrap();
    problem(res, 422, "too_small").await;
    // A visitor cannot register.
    let res = s
        .app
        .client()
        .post(s.app.url(&format!("/api/v1/events/{id}/registrations")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(res, 401, "sign_in_required").await;
    // The month filter speaks up when it cannot be read.
    let res = s
        .app
        .client()
        .get(s.app.url("/api/v1/events?month=2030-13"))
        .send()
        .await
        .unwrap();
    problem(res, 422, "invalid_month").await;
    let december: Value = s
        .app
        .client()
        .get(s.app.url("/api/v1/events?month=2030-12&region=県北"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(december.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_confirmation_mail_carries_an_ics_that_reads_in_japan_time() {
    let s = setup().await;
    let event = create(
        &s,
        json!({"title": "いわきの浜辺清掃", "kind": "volunteer"}),
    )
    .await;
    let p = s.app.person("fan@example.jp", &[]).await;
    let t = token(&s.app, p).await;
    assert_eq!(
        register(&s, &t, event["id"].as_i64().unwrap())
            .await
            .status(),
        201
    );
    let mail = s
        .app
        .store
        .mail_to("fan@example.jp")
        .await
        .unwrap()
        .remove(0);
    assert!(
        mail.subject.contains("参加が確定しました"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text_body.contains("2030年12月10日(火) 14:00〜16:00"),
        "{}",
        mail.text_body
    );
    assert!(
        mail.html_body.contains("background:#000"),
        "the HTML mail carries the QR code as a table"
    );
    let ics = mail.calendar.expect("an invite.ics");
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("it parses");
    assert_eq!(cal.events.len(), 1);
    let prop = |name: &str| {
        cal.events[0]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    // 14:00–16:00 in Asia/Tokyo is 05:00–07:00 UTC.
    assert_eq!(prop("DTSTART"), "20301210T050000Z");
    assert_eq!(prop("DTEND"), "20301210T070000Z");
    assert_eq!(prop("SUMMARY"), "いわきの浜辺清掃");
    assert!(prop("UID").starts_with(&format!("event-{}@", event["id"])));
    assert!(prop("LOCATION").contains("福島県庁"));
    assert!(
        cal.properties
            .iter()
            .any(|p| p.name == "X-WR-TIMEZONE" && p.value.as_deref() == Some("Asia/Tokyo"))
    );
}
