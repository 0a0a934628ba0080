//! Fans and the support ledger, on SQLite and PostgreSQL.

use kizuna_domain::fan::{FanConsents, FanInput, FanProfile};
use kizuna_domain::ledger::{EntryInput, EntryKind, NewEntry};
use kizuna_domain::{Visibility, badges};
use kizuna_store::fan_figures::Side;
use kizuna_store::ledger::{LedgerFilter, as_counted};
use kizuna_store::partnerships::NewPartnership;
use kizuna_store::people::NewAccount;
use kizuna_store::{Store, StoreError};

/// Tests that need two stores (two processes) on one database.
macro_rules! shared {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = kizuna_store::testing::TestDb::sqlite();
                super::$name(db.open().await, db.open().await).await;
            }

            #[tokio::test]
            #[cfg_attr(not(kizuna_pg), ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it")]
            async fn postgres() {
                let db = kizuna_store::testing::TestDb::postgres().await;
                super::$name(db.open().await, db.open().await).await;
            }
        }
    )*};
}

shared!(a_ledger_summary_follows_writes_made_by_another_process);

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = kizuna_store::testing::TestDb::sqlite();
                super::$name(db.open().await).await;
            }

            #[tokio::test]
            #[cfg_attr(not(kizuna_pg), ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it")]
            async fn postgres() {
                let db = kizuna_store::testing::TestDb::postgres().await;
                super::$name(db.open().await).await;
            }
        }
    )*};
}

contract!(
    joining_records_the_profile_and_every_consent,
    a_fan_joins_a_partnership_once,
    consent_changes_are_recorded_only_when_they_change,
    entries_earn_points_badges_and_map_counts,
    an_unknown_municipality_is_refused_and_stores_nothing,
    withdrawn_and_rejected_entries_stop_counting,
    the_government_side_sees_only_fans_who_opted_in,
    goods_addresses_are_erased_only_after_sending,
    a_roster_imports_whole_idempotently_and_a_dry_run_stores_nothing,
    a_roster_with_one_bad_row_imports_nothing_and_names_the_row,
    challenges_count_progress_and_leaderboards_show_only_those_who_opted_in,
    badge_facts_from_the_database_agree_with_the_rules_over_entries,
    member_search_finds_words_of_any_length_and_follows_every_change,
);

struct World {
    store: Store,
    partnership: i64,
    company: i64,
}

async fn world(store: Store) -> World {
    let company = store
        .create_organisation(
            None,
            &kizuna_domain::NewOrganisation::parse(
                &kizuna_domain::organisation::OrganisationInput {
                    kind: "company".into(),
                    name: "株式会社テスト".into(),
                    ..Default::default()
                },
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let p = NewPartnership {
        name: "連携",
        name_en: None,
        description: None,
        visibility: Visibility::Public,
        signed_on: None,
    };
    let partnership = store
        .create_partnership(None, &p, &[company])
        .await
        .unwrap();
    World {
        store,
        partnership,
        company,
    }
}

async fn person(store: &Store, email: &str) -> i64 {
    let a = NewAccount {
        email,
        password_hash: "h",
        display_name: "試験",
        name_kana: None,
        locale: "ja",
        notice_version: "1",
    };
    store.create_verified_person(&a, false).await.unwrap()
}

fn profile(name: &str, named: bool) -> FanProfile {
    FanProfile::parse(&FanInput {
        display_name: name.into(),
        full_name: format!("福島 {name}"),
        full_name_kana: "ふくしま はなこ".into(),
        interests: vec!["dx".into(), "local_products".into()],
        skills: vec![("it".into(), "3".into()), ("design".into(), "1".into())],
        tags: "桃, AI".into(),
        languages: vec!["ja".into(), "en".into()],
        availability_hours: "8".into(),
        consents: FanConsents {
            named_to_government: named,
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
}

fn entry(kind: &str, code: &str, on: &str) -> NewEntry {
    let mut i = EntryInput {
        kind: kind.into(),
        occurred_on: on.into(),
        municipality_code: code.into(),
        ..Default::default()
    };
    match kind {
        "purchase" => {
            i.amount_yen = "1200".into();
            i.channel = "cafeteria".into();
        }
        "post" => i.url = "https://example.jp/p".into(),
        "talk" => i.audience = "12".into(),
        "attendance" => i.note = "対話会".into(),
        _ => {}
    }
    NewEntry::parse(&i, "2026-11-30").unwrap()
}

async fn joining_records_the_profile_and_every_consent(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "fan@example.jp").await;
    let mut p = profile("花子", false);
    p.organisation_id = Some(w.company);
    let fan = w.store.join_pr_corps(id, w.partnership, &p).await.unwrap();
    let d = w.store.fan_detail(fan).await.unwrap();
    assert_eq!(d.fan.organisation_name.as_deref(), Some("株式会社テスト"));
    assert_eq!(d.interests, vec!["dx", "local_products"]);
    assert_eq!(
        d.skills,
        vec![("design".to_string(), 1), ("it".to_string(), 3)]
    );
    assert_eq!(d.tags, vec!["ai", "桃"]);
    assert_eq!(w.store.consent_history(fan).await.unwrap().len(), 3);
    assert_eq!(
        w.store.fan_of(id, w.partnership).await.unwrap().unwrap().id,
        fan
    );

    let mut bad = profile("花子", false);
    bad.interests = vec!["space_travel".into()];
    let other = person(&w.store, "other@example.jp").await;
    assert!(
        matches!(w.store.join_pr_corps(other, w.partnership, &bad).await, Err(StoreError::Invalid(e)) if e.code == "unknown_pillar")
    );
    let mut foreign = profile("花子", false);
    foreign.organisation_id = Some(
        w.store
            .organisation_id_by_code("072010")
            .await
            .unwrap()
            .unwrap(),
    );
    assert!(
        matches!(w.store.join_pr_corps(other, w.partnership, &foreign).await, Err(StoreError::Invalid(e)) if e.code == "organisation_not_in_partnership")
    );
    assert!(
        w.store
            .fan_of(other, w.partnership)
            .await
            .unwrap()
            .is_none(),
        "nothing partial"
    );
}

async fn a_fan_joins_a_partnership_once(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "once@example.jp").await;
    w.store
        .join_pr_corps(id, w.partnership, &profile("一", false))
        .await
        .unwrap();
    assert!(matches!(
        w.store
            .join_pr_corps(id, w.partnership, &profile("二", false))
            .await,
        Err(StoreError::Conflict("already_a_fan"))
    ));
}

async fn consent_changes_are_recorded_only_when_they_change(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "consent@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(id, w.partnership, &profile("花子", false))
        .await
        .unwrap();
    w.store
        .update_fan(fan, &profile("花子", false))
        .await
        .unwrap();
    assert_eq!(
        w.store.consent_history(fan).await.unwrap().len(),
        3,
        "no change, no new record"
    );
    w.store
        .update_fan(fan, &profile("花子", true))
        .await
        .unwrap();
    let h = w.store.consent_history(fan).await.unwrap();
    assert_eq!(h.len(), 4);
    assert_eq!(
        (h[0].purpose.as_str(), h[0].granted),
        ("named_to_government", 1)
    );
    assert_eq!(w.store.fan(fan).await.unwrap().named_to_government, 1);
}

async fn entries_earn_points_badges_and_map_counts(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "ledger@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(id, w.partnership, &profile("花子", false))
        .await
        .unwrap();
    w.store
        .set_points(1, w.partnership, EntryKind::Visit, 20)
        .await
        .unwrap();
    w.store
        .add_entry(fan, &entry("visit", "072010", "2026-11-01"))
        .await
        .unwrap();
    w.store
        .add_entry(fan, &entry("visit", "072010", "2026-11-02"))
        .await
        .unwrap();
    w.store
        .add_entry(fan, &entry("purchase", "", "2026-11-03"))
        .await
        .unwrap();
    w.store
        .add_entry(fan, &entry("post", "", "2026-11-04"))
        .await
        .unwrap();
    assert_eq!(w.store.fan_points(fan).await.unwrap(), 20 + 20 + 5 + 3);
    let rows = w.store.counted_for_badges(fan).await.unwrap();
    assert_eq!(
        badges::earned(&as_counted(&rows)),
        vec![badges::Badge::FirstVisit]
    );
    assert_eq!(
        w.store.fan_municipality_counts(fan).await.unwrap(),
        vec![("072010".to_string(), 2)]
    );
    let visits = w
        .store
        .ledger(
            fan,
            &LedgerFilter {
                kind: Some("visit".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0].municipality_name.as_deref(), Some("福島市"));
    let f = w.store.fan_figures(w.partnership).await.unwrap();
    assert_eq!((f.registered, f.municipalities_reached), (1, 1));
    assert_eq!(f.by_kind.iter().map(|(_, n)| n).sum::<i64>(), 4);
}

async fn an_unknown_municipality_is_refused_and_stores_nothing(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "unknown@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(id, w.partnership, &profile("花子", false))
        .await
        .unwrap();
    // 131016 is a valid code (千代田区) but not one of the seeded municipalities.
    let result = w
        .store
        .add_entry(fan, &entry("visit", "131016", "2026-11-01"))
        .await;
    assert!(
        matches!(result, Err(StoreError::Invalid(e)) if e.code == "unknown_municipality"),
        ""
    );
    assert!(
        w.store
            .ledger(fan, &LedgerFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn withdrawn_and_rejected_entries_stop_counting(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "status@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(id, w.partnership, &profile("花子", false))
        .await
        .unwrap();
    let a = w
        .store
        .add_entry(fan, &entry("visit", "072044", "2026-11-01"))
        .await
        .unwrap();
    let b = w
        .store
        .add_entry(fan, &entry("talk", "", "2026-11-02"))
        .await
        .unwrap();
    w.store.withdraw_entry(fan, a).await.unwrap();
    assert!(
        matches!(
            w.store.review_entry(9, b, "rejected", None).await,
            Err(StoreError::Invalid(_))
        ),
        "a rejection needs a reason"
    );
    w.store
        .review_entry(9, b, "rejected", Some("聴衆の人数が確認できません"))
        .await
        .unwrap();
    assert_eq!(w.store.fan_points(fan).await.unwrap(), 0);
    let e = w.store.entry(b).await.unwrap();
    assert_eq!(
        (e.status.as_str(), e.status_reason.as_deref()),
        ("rejected", Some("聴衆の人数が確認できません"))
    );
    assert!(matches!(
        w.store.withdraw_entry(fan, b).await,
        Err(StoreError::Conflict("entry_closed"))
    ));
    assert!(
        matches!(
            w.store
                .update_entry(fan + 1, b, &entry("talk", "", "2026-11-02"))
                .await,
            Err(StoreError::NotFound)
        ),
        "only the owner edits"
    );
}

async fn the_government_side_sees_only_fans_who_opted_in(store: Store) {
    let w = world(store).await;
    let a = person(&w.store, "named@example.jp").await;
    let b = person(&w.store, "private@example.jp").await;
    w.store
        .join_pr_corps(a, w.partnership, &profile("名乗る", true))
        .await
        .unwrap();
    w.store
        .join_pr_corps(b, w.partnership, &profile("名乗らない", false))
        .await
        .unwrap();
    let company = w
        .store
        .fan_list(w.partnership, Side::Company, "", 50, 0)
        .await
        .unwrap();
    assert_eq!(company.len(), 2);
    let gov = w
        .store
        .fan_list(w.partnership, Side::Government, "", 50, 0)
        .await
        .unwrap();
    assert_eq!(gov.len(), 1);
    assert_eq!(gov[0].display_name.as_deref(), Some("名乗る"));
    assert_eq!(
        w.store.fan_figures(w.partnership).await.unwrap().registered,
        2,
        "figures include everyone"
    );
    let found = w
        .store
        .fan_list(w.partnership, Side::Company, "it", 50, 0)
        .await
        .unwrap();
    assert_eq!(found.len(), 2, "search by skill");
    assert!(
        w.store
            .fan_list(w.partnership, Side::Company, "存在しない", 50, 0)
            .await
            .unwrap()
            .is_empty()
    );
    // A coordinator who belongs to the company speaks for the company side.
    let coord = person(&w.store, "coord@example.jp").await;
    assert_eq!(
        w.store.side_of(coord, false, w.partnership).await.unwrap(),
        Side::Government
    );
    w.store
        .add_membership(None, coord, w.company, None)
        .await
        .unwrap();
    assert_eq!(
        w.store.side_of(coord, false, w.partnership).await.unwrap(),
        Side::Company
    );
}

async fn goods_addresses_are_erased_only_after_sending(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "goods@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(id, w.partnership, &profile("花子", false))
        .await
        .unwrap();
    assert!(matches!(
        w.store
            .request_goods(fan, "福島 花子", "96O-8601", "福島市")
            .await,
        Err(StoreError::Invalid(_))
    ));
    let r = w
        .store
        .request_goods(fan, "福島 花子", "〒960-8601", "福島県福島市杉妻町2-16")
        .await
        .unwrap();
    assert!(matches!(
        w.store.erase_goods_address(fan, r).await,
        Err(StoreError::Conflict("goods_not_sent_yet"))
    ));
    w.store.mark_goods_sent(1, r).await.unwrap();
    w.store.erase_goods_address(fan, r).await.unwrap();
    let g = &w.store.goods_requests(fan).await.unwrap()[0];
    assert!(
        g.address.is_none()
            && g.recipient.is_none()
            && g.erased_at.is_some()
            && g.sent_at.is_some()
    );
}

fn roster_row(
    line: usize,
    email: &str,
    org: Option<&str>,
    tags: &str,
) -> kizuna_domain::roster::RosterRow {
    let cells: std::collections::HashMap<&str, &str> = [
        ("email", email),
        ("full_name", "会津 太郎"),
        ("full_name_kana", "あいづ たろう"),
        ("organisation", org.unwrap_or("")),
        ("tags", tags),
        ("department", "営業部"),
    ]
    .into_iter()
    .collect();
    kizuna_domain::roster::RosterRow::parse(line, |c| cells.get(c).copied().unwrap_or("")).unwrap()
}

async fn a_roster_imports_whole_idempotently_and_a_dry_run_stores_nothing(store: Store) {
    let w = world(store).await;
    let existing = person(&w.store, "existing@example.jp").await;
    let rows: Vec<_> = (0..1200)
        .map(|i| {
            roster_row(
                i + 2,
                &format!("p{i}@example.jp"),
                (i % 2 == 0).then_some("株式会社テスト"),
                "桃, 地域",
            )
        })
        .chain([roster_row(1202, "Existing@Example.jp", None, "")])
        .collect();
    let dry = w
        .store
        .import_roster(None, w.partnership, &rows, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (dry.rows, dry.new_people, dry.new_fans, dry.updated_fans),
        (1201, 1200, 1201, 0)
    );
    assert_eq!(
        w.store.fan_figures(w.partnership).await.unwrap().registered,
        0,
        "a dry run stores nothing"
    );

    let done = w
        .store
        .import_roster(Some(1), w.partnership, &rows, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done, dry);
    assert_eq!(
        w.store.fan_figures(w.partnership).await.unwrap().registered,
        1201
    );
    let fan = w
        .store
        .fan_of(existing, w.partnership)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fan.full_name, "会津 太郎");
    assert!(
        w.store
            .consent_history(fan.id)
            .await
            .unwrap()
            .iter()
            .all(|c| c.granted == 0),
        "imported fans share nothing"
    );
    let someone = w
        .store
        .person_by_email("p0@example.jp")
        .await
        .unwrap()
        .unwrap();
    let f = w
        .store
        .fan_of(someone.id, w.partnership)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.organisation_name.as_deref(), Some("株式会社テスト"));
    assert_eq!(
        w.store.fan_detail(f.id).await.unwrap().tags,
        vec!["地域", "桃"]
    );

    // The same file again changes nothing but the updated fields.
    let again = w
        .store
        .import_roster(None, w.partnership, &rows, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.new_people, again.new_fans, again.updated_fans),
        (0, 0, 1201)
    );
    assert_eq!(
        w.store.fan_figures(w.partnership).await.unwrap().registered,
        1201
    );
    assert_eq!(
        w.store.fan_detail(f.id).await.unwrap().tags.len(),
        2,
        "tags replaced, not doubled"
    );

    // A changed row updates that fan, its tags and what search finds.
    let mut changed = rows.clone();
    changed[0] = roster_row(2, "p0@example.jp", None, "防災");
    changed[0].department = Some("地域連携推進室".into());
    w.store
        .import_roster(None, w.partnership, &changed, false)
        .await
        .unwrap()
        .unwrap();
    let detail = w.store.fan_detail(f.id).await.unwrap();
    assert_eq!(detail.tags, vec!["防災"]);
    assert_eq!(detail.fan.department.as_deref(), Some("地域連携推進室"));
    assert_eq!(detail.fan.organisation_name, None);
    let found = w
        .store
        .fan_list(w.partnership, Side::Company, "連携推進", 50, 0)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![f.id]);
}

async fn a_roster_with_one_bad_row_imports_nothing_and_names_the_row(store: Store) {
    let w = world(store).await;
    let mut rows: Vec<_> = (0..50)
        .map(|i| roster_row(i + 2, &format!("q{i}@example.jp"), None, ""))
        .collect();
    rows.push(roster_row(52, "q3@example.jp", None, ""));
    rows.push(roster_row(
        53,
        "new@example.jp",
        Some("存在しない株式会社"),
        "",
    ));
    let errors = w
        .store
        .import_roster(None, w.partnership, &rows, false)
        .await
        .unwrap()
        .unwrap_err();
    let lines: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.code)).collect();
    assert_eq!(
        lines,
        vec![
            (52, "duplicate_in_file"),
            (53, "organisation_not_in_partnership")
        ]
    );
    assert!(
        w.store
            .person_by_email("q0@example.jp")
            .await
            .unwrap()
            .is_none(),
        "nothing partial"
    );
}

async fn challenges_count_progress_and_leaderboards_show_only_those_who_opted_in(store: Store) {
    let w = world(store).await;
    let c = kizuna_domain::ledger::NewChallenge::parse(
        "3.11までに訪問10回",
        "visit",
        "10",
        "2026-11-01",
        "2027-03-11",
    )
    .unwrap();
    w.store
        .create_challenge(1, w.partnership, &c)
        .await
        .unwrap();
    let a = person(&w.store, "leader@example.jp").await;
    let b = person(&w.store, "shy@example.jp").await;
    let mut shown = profile("トップ", false);
    shown.consents.on_leaderboard = true;
    let fa = w
        .store
        .join_pr_corps(a, w.partnership, &shown)
        .await
        .unwrap();
    let fb = w
        .store
        .join_pr_corps(b, w.partnership, &profile("ひかえめ", false))
        .await
        .unwrap();
    for (fan, n) in [(fa, 3), (fb, 5)] {
        for _ in 0..n {
            w.store
                .add_entry(fan, &entry("visit", "072044", "2026-11-10"))
                .await
                .unwrap();
        }
    }
    w.store
        .add_entry(fa, &entry("visit", "072044", "2026-10-31"))
        .await
        .unwrap(); // before the start
    w.store
        .add_entry(fa, &entry("post", "", "2026-11-10"))
        .await
        .unwrap(); // another kind
    let list = w
        .store
        .challenges(w.partnership, Some("2026-11-30"))
        .await
        .unwrap();
    assert_eq!((list[0].progress, list[0].percent()), (8, 80));
    assert!(
        w.store
            .challenges(w.partnership, Some("2027-03-12"))
            .await
            .unwrap()
            .is_empty(),
        "past challenges leave the home page"
    );
    let board = w.store.leaderboard(w.partnership, 10).await.unwrap();
    assert_eq!(board.len(), 1, "only the fan who opted in");
    assert_eq!(
        (board[0].display_name.as_str(), board[0].points),
        ("トップ", 4 * 10 + 3)
    );
}

async fn badge_facts_from_the_database_agree_with_the_rules_over_entries(store: Store) {
    let w = world(store).await;
    let id = person(&w.store, "facts@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(id, w.partnership, &profile("花子", false))
        .await
        .unwrap();
    let codes = [
        "072010", "072036", "072052", "072028", "073628", "072125", "072044", "072133", "072079",
        "075213", "072010",
    ];
    for (i, code) in codes.iter().enumerate() {
        w.store
            .add_entry(fan, &entry("visit", code, &format!("2025-{:02}-15", i + 1)))
            .await
            .unwrap();
    }
    w.store
        .add_entry(fan, &entry("post", "", "2025-12-01"))
        .await
        .unwrap();
    let facts = w.store.badge_facts(fan).await.unwrap();
    let rows = w.store.counted_for_badges(fan).await.unwrap();
    assert_eq!(
        badges::earned_from(&facts),
        badges::earned(&as_counted(&rows))
    );
    assert_eq!((facts.visits, facts.municipalities_visited), (11, 10));
    assert!(badges::earned_from(&facts).contains(&badges::Badge::YearOfMonths));
    assert!(badges::earned_from(&facts).contains(&badges::Badge::AllRegions));
}

async fn member_search_finds_words_of_any_length_and_follows_every_change(store: Store) {
    let w = world(store).await;
    let names = |rows: Vec<kizuna_store::fan_figures::FanRow>| {
        rows.into_iter()
            .map(|r| r.display_name.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let search = |q: &'static str| {
        let store = w.store.clone();
        let partnership = w.partnership;
        async move {
            store
                .fan_list(partnership, Side::Company, q, 50, 0)
                .await
                .unwrap()
        }
    };
    let a = person(&w.store, "a@example.jp").await;
    let b = person(&w.store, "b@example.jp").await;
    let fan_a = w
        .store
        .join_pr_corps(a, w.partnership, &profile("花子", true))
        .await
        .unwrap();
    let mut other = profile("次郎", true);
    other.full_name = "会津 次郎".into();
    other.full_name_kana = "あいづ じろう".into();
    other.tags = vec!["日本酒".into()];
    w.store
        .join_pr_corps(b, w.partnership, &other)
        .await
        .unwrap();
    // Roster rows are indexed too.
    let rows = [roster_row(2, "c@example.jp", None, "防災")];
    w.store
        .import_roster(None, w.partnership, &rows, false)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(names(search("福島").await), vec!["花子"], "two characters");
    assert_eq!(names(search("桃").await), vec!["花子"], "one character");
    assert_eq!(
        names(search("酒").await),
        vec!["次郎"],
        "last character of a word"
    );
    assert_eq!(
        names(search("ふくしま はなこ").await),
        vec!["花子"],
        "two words"
    );
    assert_eq!(
        names(search("ﾌｸｼﾏ").await).len(),
        0,
        "katakana is not hiragana"
    );
    assert_eq!(
        names(search("ＡＩ").await),
        vec!["花子"],
        "full-width letters"
    );
    assert_eq!(
        names(search("あいづ").await).len(),
        2,
        "reading, fan and roster row"
    );
    assert_eq!(names(search("防災").await).len(), 1, "roster tag");
    assert!(
        search("福島 次郎").await.is_empty(),
        "every word must match"
    );
    assert!(
        search("島福").await.is_empty(),
        "pairs, not letters in any order"
    );
    assert_eq!(search("").await.len(), 3, "no words: everyone");
    assert!(
        search("@@").await.is_empty(),
        "a word without letters is compared as text"
    );

    // A changed profile is found by its new name only.
    let mut renamed = profile("花子", true);
    renamed.full_name = "相馬 花子".into();
    renamed.tags = vec![];
    w.store.update_fan(fan_a, &renamed).await.unwrap();
    assert!(search("福島").await.is_empty());
    assert!(search("桃").await.is_empty());
    assert_eq!(names(search("相馬").await), vec!["花子"]);

    // An erased person is gone from search.
    w.store
        .erase_person(a, &kizuna_store::registrations::NoMail)
        .await
        .unwrap();
    assert!(search("相馬").await.is_empty());

    // SQLite's index agrees with the table after joins, an import, an
    // update and an erasure (FTS5 checks every term against the content).
    if w.store.backend() == kizuna_store::Backend::Sqlite {
        sqlx::query("INSERT INTO fan_search (fan_search, rank) VALUES ('integrity-check', 1)")
            .execute(w.store.pool())
            .await
            .expect("the search index matches the fans table");
    }
}

async fn a_ledger_summary_follows_writes_made_by_another_process(reader: Store, writer: Store) {
    let w = world(reader).await;
    let me = person(&w.store, "rev@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(me, w.partnership, &profile("改訂", false))
        .await
        .unwrap();
    let summary = |store: Store| async move {
        let rev = store.fan(fan).await.unwrap().ledger_rev;
        store.ledger_summary(fan, rev).await.unwrap()
    };
    let before = summary(w.store.clone()).await;
    assert_eq!((before.points, before.entries), (0, 0));

    // Every kind of write, each by the other process, shows at once.
    let id = writer
        .add_entry(fan, &entry("visit", "072010", "2026-11-01"))
        .await
        .unwrap();
    let s = summary(w.store.clone()).await;
    assert_eq!((s.entries, s.facts.visits), (1, 1));
    assert_eq!(s.municipality_counts, vec![("072010".to_string(), 1)]);
    let visit_points = s.points;
    assert!(visit_points > 0);

    writer
        .update_entry(fan, id, &entry("talk", "072010", "2026-11-01"))
        .await
        .unwrap();
    let s = summary(w.store.clone()).await;
    assert_eq!(s.facts.visits, 0, "the kind changed");
    assert_eq!(
        s.points,
        EntryKind::Talk.default_points(),
        "a changed kind earns that kind's points"
    );

    writer
        .review_entry(me, id, "rejected", Some("確認できません"))
        .await
        .unwrap();
    let s = summary(w.store.clone()).await;
    assert_eq!(
        (s.points, s.entries),
        (0, 1),
        "rejected: listed, not counted"
    );

    let second = writer
        .add_entry(fan, &entry("post", "", "2026-11-02"))
        .await
        .unwrap();
    writer.withdraw_entry(fan, second).await.unwrap();
    let s = summary(w.store.clone()).await;
    assert_eq!((s.points, s.entries), (0, 2));
    assert!(s.rev > before.rev);
}
