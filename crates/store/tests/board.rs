//! The challenge board on SQLite and PostgreSQL: the lifecycle and its
//! audit trail, "we have this too", merge and split, who sees what,
//! similarity through the per-process index, Open311 intake and digests.

use kizuna_domain::challenge::{ChallengeInput, NewChallenge, NewEndorsement, Status};
use kizuna_domain::open311::{NewRequest, RequestInput};
use kizuna_domain::{LocalGovCode, Role, RoleAssignment, Viewer, Visibility};
use kizuna_store::board::BoardFilter;
use kizuna_store::board_social::{DigestMail, DigestReader, Notice};
use kizuna_store::outbox::Mail;
use kizuna_store::partnerships::NewPartnership;
use kizuna_store::people::NewAccount;
use kizuna_store::{Store, StoreError};
use std::sync::{Arc, Mutex};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = kizuna_store::testing::TestDb::sqlite();
                super::$name(db.open().await, db.open().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(kizuna_pg), ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it")]
            async fn postgres() {
                let db = kizuna_store::testing::TestDb::postgres().await;
                super::$name(db.open().await, db.open().await).await;
            }
        }
    )*};
}

contract!(
    the_lifecycle_refuses_impossible_moves_and_records_every_move,
    we_have_this_too_counts_municipalities_and_their_burden,
    merge_then_split_restores_both_challenges_with_their_endorsements,
    challenges_are_seen_only_by_those_they_are_for,
    similarity_and_search_follow_changes_made_by_another_process,
    open311_keys_file_reports_that_become_challenges,
    followers_get_one_digest_of_what_happened,
    erasing_an_author_keeps_the_challenge_without_their_name,
);

struct World {
    store: Store,
    partnership: i64,
    fukushima: i64,
    aizu: i64,
    koriyama: i64,
    staff_f: Viewer,
    staff_a: Viewer,
    staff_k: Viewer,
    coordinator: Viewer,
    employee: Viewer,
}

async fn person(store: &Store, email: &str, name: &str) -> i64 {
    let a = NewAccount {
        email,
        password_hash: "h",
        display_name: name,
        name_kana: None,
        locale: "ja",
        notice_version: "1",
    };
    store.create_verified_person(&a, false).await.unwrap()
}

async fn with_role(
    store: &Store,
    p: i64,
    partnership: i64,
    role: Role,
    org: Option<i64>,
) -> Viewer {
    store
        .assign_role(
            None,
            p,
            &RoleAssignment::new(
                partnership,
                role,
                org.filter(|_| role == Role::MunicipalStaff),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    if let Some(o) = org {
        store.add_membership(None, p, o, None).await.unwrap();
    }
    store.signed_in(p).await.unwrap().viewer
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
    let org = |code: &'static str| {
        let store = store.clone();
        async move { store.organisation_id_by_code(code).await.unwrap().unwrap() }
    };
    let (fukushima, aizu, koriyama) = (
        org("072010").await,
        org("072028").await,
        org("072036").await,
    );
    let p = NewPartnership {
        name: "連携",
        name_en: None,
        description: None,
        visibility: Visibility::Public,
        signed_on: None,
    };
    let partnership = store
        .create_partnership(None, &p, &[company, fukushima, aizu, koriyama])
        .await
        .unwrap();
    let staff = |email: &'static str, org: i64| {
        let store = store.clone();
        async move {
            let p = person(&store, email, email).await;
            with_role(&store, p, partnership, Role::MunicipalStaff, Some(org)).await
        }
    };
    let staff_f = staff("f@city.fukushima.jp", fukushima).await;
    let staff_a = staff("a@city.aizuwakamatsu.jp", aizu).await;
    let staff_k = staff("k@city.koriyama.jp", koriyama).await;
    let c = person(&store, "coord@example.jp", "調整役").await;
    let coordinator = with_role(&store, c, partnership, Role::Coordinator, None).await;
    let e = person(&store, "employee@example.jp", "社員").await;
    let employee = with_role(&store, e, partnership, Role::Member, Some(company)).await;
    World {
        store,
        partnership,
        fukushima,
        aizu,
        koriyama,
        staff_f,
        staff_a,
        staff_k,
        coordinator,
        employee,
    }
}

fn challenge(title: &str, description: &str, burden: i64) -> NewChallenge {
    NewChallenge::parse(&ChallengeInput {
        title: title.into(),
        description: description.into(),
        category: "counter".into(),
        burden_hours: burden.to_string(),
        ..Default::default()
    })
    .unwrap()
}

async fn post(w: &World, by: &Viewer, org: i64, c: &NewChallenge, publish: bool) -> i64 {
    w.store
        .post_challenge(by.person_id.unwrap(), w.partnership, org, c, publish)
        .await
        .unwrap()
}

/// A history line: action, status moved to, actor, reason.
type Line = (String, Option<String>, Option<String>, Option<String>);

fn code(e: StoreError) -> &'static str {
    match e {
        StoreError::Invalid(v) => v.code,
        StoreError::Conflict(c) => c,
        StoreError::NotFound => "not_found",
        other => panic!("unexpected {other:?}"),
    }
}

async fn the_lifecycle_refuses_impossible_moves_and_records_every_move(
    store: Store,
    _other: Store,
) {
    let w = world(store).await;
    let id = post(
        &w,
        &w.staff_f,
        w.fukushima,
        &challenge("窓口の転記", "申請書を手入力", 40),
        false,
    )
    .await;
    let s = &w.store;
    assert_eq!(
        code(s.challenge(&Viewer::visitor(), id).await.unwrap_err()),
        "not_found",
        "a draft is private"
    );
    assert_eq!(
        code(
            s.move_challenge(&w.staff_a, id, Status::Open, "")
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    s.move_challenge(&w.staff_f, id, Status::Open, "")
        .await
        .unwrap();
    assert_eq!(
        code(
            s.move_challenge(&w.staff_f, id, Status::UnderReview, "確認")
                .await
                .unwrap_err()
        ),
        "move_not_allowed"
    );
    assert_eq!(
        code(
            s.move_challenge(&w.coordinator, id, Status::Solved, "早すぎる")
                .await
                .unwrap_err()
        ),
        "impossible_move"
    );
    assert_eq!(
        code(
            s.move_challenge(&w.coordinator, id, Status::UnderReview, "")
                .await
                .unwrap_err()
        ),
        "reason_required"
    );
    for (who, to, why) in [
        (&w.coordinator, Status::UnderReview, "内容を確認します"),
        (
            &w.coordinator,
            Status::Matched,
            "プロボノチームが決まりました",
        ),
        (&w.coordinator, Status::InProgress, "着手"),
        (&w.staff_f, Status::InProgress, ""),
    ] {
        let r = s.move_challenge(who, id, to, why).await;
        if why.is_empty() {
            assert!(r.is_err(), "in progress → in progress is no move");
        } else {
            r.unwrap();
        }
    }
    s.move_challenge(&w.staff_f, id, Status::Solved, "転記がなくなりました")
        .await
        .unwrap();
    s.move_challenge(&w.coordinator, id, Status::RolledOut, "会津若松市でも導入")
        .await
        .unwrap();
    assert_eq!(
        code(
            s.move_challenge(&w.coordinator, id, Status::Open, "再開")
                .await
                .unwrap_err()
        ),
        "impossible_move"
    );
    let c = s.challenge(&Viewer::visitor(), id).await.unwrap();
    assert_eq!(c.status, "rolled_out");
    let h = s.challenge_history(&w.coordinator, id).await.unwrap();
    let moves: Vec<Line> = h
        .iter()
        .map(|e| {
            (
                e.action.clone(),
                e.to_status.clone(),
                e.actor_name.clone(),
                e.reason.clone(),
            )
        })
        .collect();
    assert_eq!(moves.len(), 7, "{moves:?}");
    assert_eq!(moves[0].0, "created");
    assert_eq!(
        moves[1],
        (
            "moved".into(),
            Some("open".into()),
            Some("f@city.fukushima.jp".into()),
            None
        )
    );
    assert_eq!(
        moves[6],
        (
            "moved".into(),
            Some("rolled_out".into()),
            Some("調整役".into()),
            Some("会津若松市でも導入".into())
        )
    );
}

async fn we_have_this_too_counts_municipalities_and_their_burden(store: Store, _other: Store) {
    let w = world(store).await;
    let id = post(
        &w,
        &w.staff_f,
        w.fukushima,
        &challenge("窓口の転記", "申請書を手入力", 40),
        true,
    )
    .await;
    let s = &w.store;
    s.endorse_challenge(
        &w.staff_a,
        id,
        w.aizu,
        &NewEndorsement::parse("30", "うちも毎日").unwrap(),
    )
    .await
    .unwrap();
    let c = s.challenge(&Viewer::visitor(), id).await.unwrap();
    assert_eq!((c.shared_count, c.total_burden), (2, 70));
    let again = s
        .endorse_challenge(
            &w.staff_a,
            id,
            w.aizu,
            &NewEndorsement::parse("5", "").unwrap(),
        )
        .await;
    assert_eq!(code(again.unwrap_err()), "already_endorsed");
    let own = s
        .endorse_challenge(
            &w.staff_f,
            id,
            w.fukushima,
            &NewEndorsement::parse("5", "").unwrap(),
        )
        .await;
    assert_eq!(code(own.unwrap_err()), "own_challenge");
    let not_staff = s
        .endorse_challenge(
            &w.employee,
            id,
            w.koriyama,
            &NewEndorsement::parse("5", "").unwrap(),
        )
        .await;
    assert_eq!(code(not_staff.unwrap_err()), "not_your_municipality");
    let e = s.endorsements(&Viewer::visitor(), id).await.unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].burden_hours, e[0].note.as_deref()),
        (30, Some("うちも毎日"))
    );
    s.withdraw_endorsement(&w.staff_a, e[0].id).await.unwrap();
    let c = s.challenge(&Viewer::visitor(), id).await.unwrap();
    assert_eq!((c.shared_count, c.total_burden), (1, 40));
}

async fn merge_then_split_restores_both_challenges_with_their_endorsements(
    store: Store,
    _other: Store,
) {
    let w = world(store).await;
    let s = &w.store;
    let a = post(
        &w,
        &w.staff_f,
        w.fukushima,
        &challenge("会議録の作成", "録音から手で起こす", 40),
        true,
    )
    .await;
    let b = post(
        &w,
        &w.staff_a,
        w.aizu,
        &challenge("議事録の文字起こし", "委員会の録音を入力", 20),
        true,
    )
    .await;
    s.endorse_challenge(
        &w.staff_k,
        a,
        w.koriyama,
        &NewEndorsement::parse("10", "").unwrap(),
    )
    .await
    .unwrap();
    s.endorse_challenge(
        &w.staff_k,
        b,
        w.koriyama,
        &NewEndorsement::parse("15", "").unwrap(),
    )
    .await
    .unwrap();
    s.endorse_challenge(
        &w.staff_f,
        b,
        w.fukushima,
        &NewEndorsement::parse("5", "").unwrap(),
    )
    .await
    .unwrap();
    s.move_challenge(&w.coordinator, b, Status::UnderReview, "確認中")
        .await
        .unwrap();
    let before_a = s.endorsements(&w.coordinator, a).await.unwrap();
    let before_b = s.endorsements(&w.coordinator, b).await.unwrap();

    assert_eq!(
        code(
            s.merge_challenges(&w.staff_f, b, a, "重複")
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    assert_eq!(
        code(
            s.merge_challenges(&w.coordinator, b, a, "")
                .await
                .unwrap_err()
        ),
        "required"
    );
    s.merge_challenges(&w.coordinator, b, a, "同じ課題です")
        .await
        .unwrap();
    let ca = s.challenge(&w.coordinator, a).await.unwrap();
    // Fukushima max(40, 5) + Koriyama max(10, 15) + Aizu 20.
    assert_eq!((ca.shared_count, ca.total_burden), (3, 75));
    let cb = s.challenge(&w.coordinator, b).await.unwrap();
    assert_eq!((cb.status.as_str(), cb.merged_into), ("merged", Some(a)));
    assert_eq!(
        s.endorsements(&w.coordinator, a).await.unwrap().len(),
        4,
        "both endorsements and Aizu itself"
    );
    let board = s
        .board(
            &Viewer::visitor(),
            &BoardFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        board.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![a],
        "a merged challenge leaves the board"
    );
    // Joining the merged one joins its target.
    assert_eq!(
        code(
            s.merge_challenges(&w.coordinator, a, b, "逆")
                .await
                .unwrap_err()
        ),
        "merge_needs_listed_challenges"
    );

    s.split_challenge(&w.coordinator, b, "別の課題でした")
        .await
        .unwrap();
    let ca = s.challenge(&w.coordinator, a).await.unwrap();
    let cb = s.challenge(&w.coordinator, b).await.unwrap();
    assert_eq!((ca.shared_count, ca.total_burden), (2, 50));
    assert_eq!(
        (
            cb.shared_count,
            cb.total_burden,
            cb.status.as_str(),
            cb.merged_into
        ),
        (3, 40, "under_review", None)
    );
    assert_eq!(s.endorsements(&w.coordinator, a).await.unwrap(), before_a);
    assert_eq!(s.endorsements(&w.coordinator, b).await.unwrap(), before_b);
    let actions = |h: Vec<kizuna_store::board::HistoryEntry>| {
        h.into_iter().map(|e| e.action).collect::<Vec<_>>()
    };
    let hb = actions(s.challenge_history(&w.coordinator, b).await.unwrap());
    assert!(
        hb.ends_with(&["merged_into".into(), "split".into()]),
        "{hb:?}"
    );
    let ha = actions(s.challenge_history(&w.coordinator, a).await.unwrap());
    assert!(
        ha.ends_with(&["merged_from".into(), "split_from".into()]),
        "{ha:?}"
    );
    assert_eq!(
        code(
            s.split_challenge(&w.coordinator, b, "再び")
                .await
                .unwrap_err()
        ),
        "not_merged"
    );
}

async fn challenges_are_seen_only_by_those_they_are_for(store: Store, _other: Store) {
    let w = world(store).await;
    let s = &w.store;
    let mut inner = challenge("庁内限定の課題", "パートナーシップ内だけで共有", 10);
    inner.visibility = "partnership";
    inner.hide_author = true;
    let id = post(&w, &w.staff_f, w.fukushima, &inner, true).await;
    let public = post(
        &w,
        &w.staff_a,
        w.aizu,
        &challenge("公開の課題", "誰でも見られる", 10),
        true,
    )
    .await;
    let draft = post(
        &w,
        &w.staff_a,
        w.aizu,
        &challenge("下書き", "まだ途中", 10),
        false,
    )
    .await;
    assert_eq!(
        code(s.challenge(&Viewer::visitor(), id).await.unwrap_err()),
        "not_found"
    );
    let f = BoardFilter {
        limit: 50,
        ..Default::default()
    };
    let ids = |rows: Vec<kizuna_store::board::ChallengeRow>| {
        rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(s.board(&Viewer::visitor(), &f).await.unwrap()),
        vec![public]
    );
    assert_eq!(
        ids(s.board(&w.employee, &f).await.unwrap()),
        vec![public, id]
    );
    // The company side does not learn who wrote it; the municipal side does.
    let seen = s.challenge(&w.employee, id).await.unwrap();
    assert_eq!((seen.author_name, seen.author_id), (None, None));
    let seen = s.challenge(&w.staff_a, id).await.unwrap();
    assert_eq!(seen.author_name.as_deref(), Some("f@city.fukushima.jp"));
    let h = s.challenge_history(&w.employee, id).await.unwrap();
    assert!(h.iter().all(|e| e.actor_name.is_none()), "{h:?}");
    // Drafts: the author, their municipality's staff and coordinators.
    assert!(s.challenge(&w.staff_a, draft).await.is_ok());
    assert!(s.challenge(&w.coordinator, draft).await.is_ok());
    assert!(s.challenge(&w.staff_f, draft).await.is_err());
    assert!(s.challenge(&w.employee, draft).await.is_err());
    let mine = ids(s.my_challenges(&w.staff_a).await.unwrap());
    assert_eq!(mine, vec![draft, public]);
    // Region and municipality filters; the map counts open ones.
    let aizu_only = BoardFilter {
        region: Some("会津".into()),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        ids(s.board(&w.employee, &aizu_only).await.unwrap()),
        vec![public]
    );
    let counts = s
        .open_challenges_by_municipality(&Viewer::visitor(), None)
        .await
        .unwrap();
    assert_eq!(counts, vec![("072028".to_string(), 1)]);
}

async fn similarity_and_search_follow_changes_made_by_another_process(store: Store, other: Store) {
    let w = world(store).await;
    let s = &w.store;
    let minutes = post(
        &w,
        &w.staff_f,
        w.fukushima,
        &challenge(
            "議会の会議録作成に時間がかかる",
            "本会議の録音を職員が聞き取って会議録を作成している",
            40,
        ),
        true,
    )
    .await;
    post(
        &w,
        &w.staff_a,
        w.aizu,
        &challenge("公用車の予約が紙", "運転日誌も手書き", 10),
        true,
    )
    .await;
    let draft = "委員会の録音の文字起こし\n議事録を手で入力している";
    let hits = other
        .similar_challenges(&Viewer::visitor(), draft, None, 3)
        .await
        .unwrap();
    assert_eq!(hits.first().map(|h| h.id), Some(minutes), "{hits:?}");
    // A change through the first store reaches the second's index.
    let twin = post(
        &w,
        &w.staff_k,
        w.koriyama,
        &challenge(
            "委員会の会議録の文字起こし",
            "録音を聞きながら議事録を入力",
            20,
        ),
        true,
    )
    .await;
    let hits = other
        .similar_challenges(&Viewer::visitor(), draft, None, 3)
        .await
        .unwrap();
    assert_eq!(hits.len(), 2, "{hits:?}");
    let listed =
        |rows: Vec<kizuna_store::board::ChallengeRow>| rows.iter().any(|r| r.id == minutes);
    let all = BoardFilter {
        limit: 50,
        ..Default::default()
    };
    assert!(listed(other.board(&Viewer::visitor(), &all).await.unwrap()));
    s.move_challenge(&w.staff_f, minutes, Status::Closed, "解決済み")
        .await
        .unwrap();
    // Another process's change shows within the time a revision read stands.
    tokio::time::sleep(kizuna_store::board::REV_FRESH).await;
    assert!(
        !listed(other.board(&Viewer::visitor(), &all).await.unwrap()),
        "the other process's cached page gives way to the new revision"
    );
    let hits = other
        .similar_challenges(&Viewer::visitor(), draft, None, 3)
        .await
        .unwrap();
    assert_eq!(
        hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![twin],
        "closed ones are not suggested"
    );
    let found = other
        .board(
            &Viewer::visitor(),
            &BoardFilter {
                query: Some("会議録".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![twin]);
    let found = other
        .board(
            &Viewer::visitor(),
            &BoardFilter {
                query: Some("会議録".into()),
                status: Some("closed".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![minutes]
    );
    s.move_challenge(&w.staff_f, minutes, Status::Open, "再発しました")
        .await
        .unwrap();
    let clusters = other.challenge_clusters(w.partnership).await.unwrap();
    assert_eq!(clusters, vec![vec![minutes, twin]]);
    assert_eq!(
        other
            .similar_to_challenge(&Viewer::visitor(), twin, 3)
            .await
            .unwrap()[0]
            .id,
        minutes
    );
}

async fn open311_keys_file_reports_that_become_challenges(store: Store, _other: Store) {
    let w = world(store).await;
    let s = &w.store;
    let code_f = LocalGovCode::parse("072010").unwrap();
    let (key_id, key) = s
        .create_open311_key(None, w.partnership, &code_f, "道路通報アプリ")
        .await
        .unwrap();
    let outsider = LocalGovCode::parse("073229").unwrap();
    assert!(
        s.create_open311_key(None, w.partnership, &outsider, "")
            .await
            .is_err(),
        "not a party"
    );
    let info = s.open311_key(&key).await.unwrap().expect("valid");
    assert_eq!(
        (info.jurisdiction_id.as_str(), info.organisation_id),
        ("072010", w.fukushima)
    );
    assert!(s.open311_key("o311_forged").await.unwrap().is_none());
    let req = NewRequest::parse(&RequestInput {
        service_code: "counter_issue".into(),
        address_string: "福島市杉妻町2-16".into(),
        description: "転入届の記入に時間がかかり窓口が混む".into(),
        email: "resident@example.jp".into(),
        ..Default::default()
    })
    .unwrap();
    let report = s.create_site_report(&info, &req).await.unwrap();
    let q = kizuna_store::open311::RequestQuery {
        jurisdiction_id: "072010".into(),
        ..Default::default()
    };
    let listed = s.site_reports(&q).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![report]
    );
    let other_j = kizuna_store::open311::RequestQuery {
        jurisdiction_id: "072028".into(),
        ..Default::default()
    };
    assert!(s.site_reports(&other_j).await.unwrap().is_empty());
    let by_code = kizuna_store::open311::RequestQuery {
        jurisdiction_id: "072010".into(),
        service_codes: vec!["road_damage".into()],
        ..Default::default()
    };
    assert!(s.site_reports(&by_code).await.unwrap().is_empty());
    let triage = s
        .triage_reports(&w.coordinator, w.partnership, "open")
        .await
        .unwrap();
    assert_eq!(
        triage[0].1.contact_email.as_deref(),
        Some("resident@example.jp")
    );
    assert!(
        s.triage_reports(&w.staff_f, w.partnership, "")
            .await
            .is_err()
    );

    let id = s
        .challenge_from_report(
            &w.coordinator,
            report,
            &challenge("転入手続きの記入負担", "窓口で何枚も書く", 30),
        )
        .await
        .unwrap();
    let c = s.challenge(&Viewer::visitor(), id).await.unwrap();
    assert_eq!(
        (c.organisation_id, c.status.as_str()),
        (w.fukushima, "open")
    );
    let r = s.site_report("072010", report).await.unwrap();
    assert_eq!(r.challenge_id, Some(id));
    assert_eq!(s.reports_of_challenge(id).await.unwrap().len(), 1);
    s.close_report(&w.coordinator, report, "課題として登録しました")
        .await
        .unwrap();
    let triage = s
        .triage_reports(&w.coordinator, w.partnership, "")
        .await
        .unwrap();
    assert_eq!(
        (
            triage[0].0.status.as_str(),
            triage[0].1.contact_email.as_deref()
        ),
        ("closed", None)
    );
    s.revoke_open311_key(w.coordinator.person_id.unwrap(), w.partnership, key_id)
        .await
        .unwrap();
    assert!(
        s.open311_key(&key).await.unwrap().is_none(),
        "a revoked key no longer works"
    );
}

#[derive(Default, Clone)]
struct Digests(Arc<Mutex<Vec<Sent>>>);

/// To whom, and the kinds of notice in it.
type Sent = (String, Vec<String>);

impl DigestMail for Digests {
    fn digest(&self, reader: &DigestReader, notices: &[Notice]) -> Mail {
        let kinds = notices.iter().map(|n| n.kind.clone()).collect();
        self.0.lock().unwrap().push((reader.email.clone(), kinds));
        Mail {
            to_addr: reader.email.clone(),
            subject: "digest".into(),
            text_body: String::new(),
            html_body: String::new(),
            calendar: None,
        }
    }
}

async fn followers_get_one_digest_of_what_happened(store: Store, _other: Store) {
    let w = world(store).await;
    let s = &w.store;
    s.follow_organisation(w.staff_a.person_id.unwrap(), w.fukushima, true)
        .await
        .unwrap();
    s.follow_organisation(w.staff_a.person_id.unwrap(), w.fukushima, true)
        .await
        .unwrap();
    let id = post(
        &w,
        &w.staff_f,
        w.fukushima,
        &challenge("窓口の転記", "申請書を手入力", 40),
        true,
    )
    .await;
    s.follow_challenge(&w.coordinator, id, true).await.unwrap();
    s.add_comment(&w.coordinator, id, "対象の申請書は何種類ありますか")
        .await
        .unwrap();
    s.add_comment(&w.staff_f, id, "12種類です").await.unwrap();
    assert_eq!(
        code(
            s.add_comment(&w.employee, id, "社員です")
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    assert_eq!(
        code(s.add_comment(&w.staff_f, id, "  ").await.unwrap_err()),
        "required"
    );
    let comments = s.comments(&Viewer::visitor(), id).await.unwrap();
    assert_eq!(comments.len(), 2);
    let d = Digests::default();
    assert_eq!(s.send_board_digests(&d).await.unwrap(), 2);
    let mut got = d.0.lock().unwrap().clone();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "a@city.aizuwakamatsu.jp".to_string(),
                vec!["created".into(), "commented".into(), "commented".into()]
            ),
            ("coord@example.jp".to_string(), vec!["commented".into()]),
        ]
    );
    assert_eq!(
        s.send_board_digests(&d).await.unwrap(),
        0,
        "each notice goes out once"
    );
    assert_eq!(
        s.follows(w.coordinator.person_id.unwrap(), id, w.fukushima)
            .await
            .unwrap(),
        (true, false)
    );
    s.follow_challenge(&w.coordinator, id, false).await.unwrap();
    assert_eq!(
        s.follows(w.coordinator.person_id.unwrap(), id, w.fukushima)
            .await
            .unwrap(),
        (false, false)
    );
}

async fn erasing_an_author_keeps_the_challenge_without_their_name(store: Store, _other: Store) {
    let w = world(store).await;
    let s = &w.store;
    let id = post(
        &w,
        &w.staff_f,
        w.fukushima,
        &challenge("窓口の転記", "申請書を手入力", 40),
        true,
    )
    .await;
    s.endorse_challenge(
        &w.staff_a,
        id,
        w.aizu,
        &NewEndorsement::parse("10", "").unwrap(),
    )
    .await
    .unwrap();
    s.add_comment(&w.staff_f, id, "様式は12種類です")
        .await
        .unwrap();
    s.follow_challenge(&w.staff_f, id, true).await.unwrap();
    s.add_attachment(&w.staff_f, id, "様式.pdf", "application/pdf", b"%PDF-1.7")
        .await
        .unwrap();
    let data = s.personal_data(w.staff_f.person_id.unwrap()).await.unwrap();
    assert_eq!(
        (
            data.challenges_written.len(),
            data.challenge_comments.len(),
            data.follows.len()
        ),
        (1, 1, 1)
    );
    s.erase_person(
        w.staff_f.person_id.unwrap(),
        &kizuna_store::registrations::NoMail,
    )
    .await
    .unwrap();
    s.erase_person(
        w.staff_a.person_id.unwrap(),
        &kizuna_store::registrations::NoMail,
    )
    .await
    .unwrap();
    let c = s.challenge(&w.coordinator, id).await.unwrap();
    assert_eq!(
        (c.author_name, c.author_id, c.shared_count, c.total_burden),
        (None, None, 2, 50)
    );
    let comments = s.comments(&w.coordinator, id).await.unwrap();
    assert_eq!(
        (
            comments[0].person_name.as_deref(),
            comments[0].body.as_str()
        ),
        (None, "様式は12種類です")
    );
    assert_eq!(
        s.attachments(&w.coordinator, id).await.unwrap().len(),
        1,
        "the municipality's file stays"
    );
    assert!(
        s.challenge_history(&w.coordinator, id)
            .await
            .unwrap()
            .iter()
            .all(|h| h.actor_name.as_deref() != Some("f@city.fukushima.jp"))
    );
}
