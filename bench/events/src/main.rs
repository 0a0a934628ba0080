//! `kizuna-bench-events prepare DIR` fills `DIR/events.db` (SQLite) with
//! 10,000 public events for the list page, one event with 5,000 places for
//! the registration load test, and 150,000 signed-in people whose session
//! cookies go to `DIR/cookies.txt` (one per line) — each registers once.
//! `kizuna-bench-events check DIR` then verifies there was no overbooking:
//! confirmed places never exceed capacity and the event's count of taken
//! places equals the sum over its registrations.
//! `kizuna-bench-events store DIR` (after `prepare`) registers 6,000 people
//! straight through the store, `TASKS` at once (64 by default), to tell the
//! store's cost from the server's.
#![forbid(unsafe_code)]

use kizuna_domain::event::{EventInput, NewEvent, jst_input_value};
use kizuna_store::Store;
use kizuna_store::partnerships::NewPartnership;
use std::io::Write;

const LIST_EVENTS: usize = 10_000;
const PEOPLE: usize = 150_000;
const CAPACITY: i64 = 5_000;

async fn open(dir: &std::path::Path) -> Store {
    let url = format!("sqlite://{}", dir.join("events.db").display());
    Store::open(&url, 8).await.expect("open")
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (cmd, dir) = match (args.next(), args.next()) {
        (Some(c), Some(d)) => (c, std::path::PathBuf::from(d)),
        _ => panic!("usage: kizuna-bench-events prepare|check DIR"),
    };
    match cmd.as_str() {
        "prepare" => prepare(&dir).await,
        "check" => check(&dir).await,
        "store" => store_only(&dir).await,
        _ => panic!("usage: kizuna-bench-events prepare|check|store DIR"),
    }
}

async fn prepare(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", dir.join("events.db").display()));
    }
    let store = open(dir).await;
    let org = kizuna_domain::organisation::OrganisationInput {
        kind: "company".into(),
        name: "日本電気株式会社".into(),
        ..Default::default()
    };
    let company = store
        .create_organisation(None, &kizuna_domain::NewOrganisation::parse(&org).unwrap())
        .await
        .unwrap();
    let p = NewPartnership {
        name: "福島県 × NECグループ",
        name_en: None,
        description: None,
        visibility: kizuna_domain::Visibility::Public,
        signed_on: None,
    };
    let partnership = store
        .create_partnership(None, &p, &[company])
        .await
        .unwrap();
    let organiser = store
        .create_verified_person(
            &kizuna_store::people::NewAccount {
                email: "organiser@bench.example.jp",
                password_hash: "x",
                display_name: "主催者",
                name_kana: None,
                locale: "ja",
                notice_version: "1",
            },
            false,
        )
        .await
        .unwrap();
    let munis = store.municipalities().await.unwrap();
    let now = kizuna_store::now();
    let kinds = [
        "dialogue",
        "tour",
        "workation",
        "fair",
        "volunteer",
        "inquiry",
    ];
    // The event everyone registers for, first in the list.
    let target = NewEvent::parse(&EventInput {
        kind: "fair".into(),
        title: "ふくしま県産品フェア（負荷試験）".into(),
        organiser_id: company.to_string(),
        venue: "本社ビル".into(),
        starts_at: jst_input_value(now + 3 * 86_400),
        ends_at: jst_input_value(now + 3 * 86_400 + 7200),
        capacity: CAPACITY.to_string(),
        visibility: "public".into(),
        ..Default::default()
    })
    .unwrap();
    let target = store
        .create_event(organiser, partnership, &target)
        .await
        .unwrap();
    for i in 0..LIST_EVENTS {
        let start = now + 86_400 + (i as i64) * 3_600;
        let e = NewEvent::parse(&EventInput {
            kind: kinds[i % kinds.len()].into(),
            title: format!("県内イベント 第{}回", i + 1),
            description: "負荷試験用のイベントです。".into(),
            organiser_id: company.to_string(),
            municipality_code: munis[i % munis.len()].code.clone(),
            venue: format!("{}公民館", munis[i % munis.len()].name),
            starts_at: jst_input_value(start),
            ends_at: jst_input_value(start + 5_400),
            capacity: if i % 3 == 0 {
                String::new()
            } else {
                "40".into()
            },
            visibility: "public".into(),
            ..Default::default()
        })
        .unwrap();
        store
            .create_event(organiser, partnership, &e)
            .await
            .unwrap();
    }
    // People and their sessions, in batches (the load test's registrants).
    let mut cookies = std::fs::File::create(dir.join("cookies.txt")).unwrap();
    let pool = store.pool();
    let t = kizuna_store::now();
    for chunk in (0..PEOPLE).collect::<Vec<_>>().chunks(500) {
        let mut tx = pool.begin().await.unwrap();
        let values: Vec<String> = chunk
            .iter()
            .map(|i| format!("('p{i}@bench.example.jp', {t}, 'x', '参加者{i}', 'ja', 0, {t}, {t})"))
            .collect();
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO people (email, email_verified_at, password_hash, display_name, locale, is_instance_admin, created_at, updated_at)
             VALUES {} RETURNING id",
            values.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        let mut rows = Vec::new();
        for id in ids {
            let secret = kizuna_store::tokens::new_secret("");
            writeln!(cookies, "{secret}").unwrap();
            rows.push(format!(
                "('{}', {id}, {t}, {})",
                kizuna_store::tokens::hash(&secret),
                t + 86_400
            ));
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES {}",
            rows.join(", ")
        )))
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    println!("EVENT {target}");
    println!(
        "prepared {LIST_EVENTS} listed events, 1 target event with {CAPACITY} places, {PEOPLE} people"
    );
}

/// A confirmation of about the size the server writes (text, HTML, .ics).
struct SizedMail;

impl kizuna_store::registrations::EventMail for SizedMail {
    fn mail(&self, n: &kizuna_store::registrations::Notice) -> Option<kizuna_store::outbox::Mail> {
        Some(kizuna_store::outbox::Mail {
            to_addr: n.to_addr.clone(),
            subject: format!("【参加登録】{}", n.event_title),
            text_body: "本文".repeat(400),
            html_body: "<p>本文</p>".repeat(300),
            calendar: Some("BEGIN:VCALENDAR\r\n".repeat(40)),
        })
    }
}

/// `store DIR`: registrations straight through the store (no HTTP), with
/// 64 tasks at once, to tell the store's cost from the server's.
async fn store_only(dir: &std::path::Path) {
    let store = open(dir).await;
    let event: i64 = sqlx::query_scalar("SELECT MIN(id) FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let people: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE email LIKE 'p%' ORDER BY id LIMIT 6000")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let people = std::sync::Arc::new(people);
    let t = std::time::Instant::now();
    let tasks: Vec<_> = (0..std::env::var("TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64))
        .map(|_| {
            let (store, next, people) = (store.clone(), next.clone(), people.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&p) = people.get(i) else { break };
                    let viewer = kizuna_domain::Viewer {
                        person_id: Some(p),
                        ..Default::default()
                    };
                    store.register(&viewer, event, 0, &SizedMail).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "STORE {} registrations in {secs:.2} s: {:.0}/s",
        people.len(),
        people.len() as f64 / secs
    );
}

async fn check(dir: &std::path::Path) {
    let store = open(dir).await;
    let rows: Vec<(i64, Option<i64>, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT e.id, e.capacity, e.seats_taken,
                CAST(COALESCE(SUM(r.seats), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN r.status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM events e JOIN registrations r ON r.event_id = e.id GROUP BY e.id, e.capacity, e.seats_taken",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut ok = true;
    for (id, capacity, taken, seats, confirmed, waitlisted) in rows {
        let over = capacity.is_some_and(|c| confirmed > c || taken > c);
        let drift = taken != seats;
        println!(
            "event {id}: capacity {capacity:?}, confirmed {confirmed}, waitlisted {waitlisted}, places taken {taken} (sum over registrations {seats}){}",
            if over || drift { "  <-- WRONG" } else { "" }
        );
        ok &= !over && !drift;
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    println!("REGISTRATIONS {total}");
    println!("{}", if ok { "NO OVERBOOKING" } else { "OVERBOOKED" });
    if !ok {
        std::process::exit(1);
    }
}
