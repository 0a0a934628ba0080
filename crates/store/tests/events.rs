//! Events and registrations, on SQLite and PostgreSQL: places are never
//! overbooked, the waitlist moves in order, offers expire, and every refusal
//! has its reason.

use kizuna_domain::event::{EventInput, NewEvent, RegistrationStatus as S};
use kizuna_domain::{Viewer, Visibility};
use kizuna_store::events::EventFilter;
use kizuna_store::outbox::Mail;
use kizuna_store::partnerships::NewPartnership;
use kizuna_store::people::NewAccount;
use kizuna_store::registrations::{EventMail, NoMail, Notice, NoticeKind};
use kizuna_store::{Store, StoreError};
use std::sync::{Arc, Mutex};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = kizuna_store::testing::TestDb::sqlite();
                super::$name(db.open().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[cfg_attr(not(kizuna_pg), ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it")]
            async fn postgres() {
                let db = kizuna_store::testing::TestDb::postgres().await;
                super::$name(db.open().await).await;
            }
        }
    )*};
}

contract!(
    five_hundred_at_once_for_fifty_places_confirms_exactly_fifty,
    a_cancellation_offers_the_place_to_the_first_in_line_and_offers_expire_in_turn,
    refusals_name_their_reason_and_store_nothing,
    events_are_seen_only_by_those_they_are_for,
    check_in_marks_attendance_once_and_writes_the_ledger,
    approval_and_transfer_keep_the_place_accounting_right,
    changes_cancellation_and_reminders_reach_everyone_registered_once,
    an_erased_account_gives_its_place_to_the_next_in_line_and_exports_list_registrations,
    series_repeat_on_their_dates_and_shifts_have_their_own_places,
);

/// Two stores on one database stand for two server processes.
mod the_event_list_shows_changes_here_at_once_and_another_processs_within_a_moment {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let db = kizuna_store::testing::TestDb::sqlite();
        super::list_follows_changes(db.open().await, db.open().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(kizuna_pg),
        ignore = "PostgreSQL half skipped: set KIZUNA_TEST_POSTGRES_URL to run it"
    )]
    async fn postgres() {
        let db = kizuna_store::testing::TestDb::postgres().await;
        super::list_follows_changes(db.open().await, db.open().await).await;
    }
}

/// Records the notices instead of writing e-mails (the server's mails are
/// tested over HTTP).
#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<Vec<(NoticeKind, String)>>>);

impl EventMail for Recorder {
    fn mail(&self, n: &Notice) -> Option<Mail> {
        self.0.lock().unwrap().push((n.kind, n.to_addr.clone()));
        Some(Mail {
            to_addr: n.to_addr.clone(),
            subject: format!("{:?}", n.kind),
            text_body: n.event_title.clone(),
            html_body: String::new(),
            calendar: None,
        })
    }
}

impl Recorder {
    fn take(&self) -> Vec<(NoticeKind, String)> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

struct World {
    store: Store,
    partnership: i64,
    company: i64,
    organiser: Viewer,
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
    let organiser = person(&store, "organiser@example.jp").await;
    World {
        organiser: store.signed_in(organiser).await.unwrap().viewer,
        store,
        partnership,
        company,
    }
}

async fn person(store: &Store, email: &str) -> i64 {
    let a = NewAccount {
        email,
        password_hash: "h",
        display_name: "参加者",
        name_kana: None,
        locale: "ja",
        notice_version: "1",
    };
    store.create_verified_person(&a, false).await.unwrap()
}

async fn viewer(store: &Store, id: i64) -> Viewer {
    store.signed_in(id).await.unwrap().viewer
}

/// An event starting in ten days, public unless changed.
fn input(w: &World, capacity: &str) -> EventInput {
    let starts = kizuna_store::now() + 10 * 86_400;
    EventInput {
        kind: "dialogue".into(),
        title: "県職員との対話会".into(),
        organiser_id: w.company.to_string(),
        venue: "福島県庁".into(),
        starts_at: kizuna_domain::event::jst_input_value(starts),
        ends_at: kizuna_domain::event::jst_input_value(starts + 7200),
        capacity: capacity.into(),
        visibility: "public".into(),
        ..Default::default()
    }
}

async fn event(w: &World, i: &EventInput) -> i64 {
    w.store
        .create_event(
            w.organiser.person_id.unwrap(),
            w.partnership,
            &NewEvent::parse(i).unwrap(),
        )
        .await
        .unwrap()
}

async fn seats_taken(store: &Store, id: i64) -> i64 {
    store
        .event(&Viewer::visitor(), id)
        .await
        .unwrap()
        .seats_taken
}

async fn five_hundred_at_once_for_fifty_places_confirms_exactly_fifty(store: Store) {
    let w = world(store).await;
    let id = event(&w, &input(&w, "50")).await;
    let mut viewers = Vec::new();
    for i in 0..500 {
        let p = person(&w.store, &format!("p{i}@example.jp")).await;
        viewers.push(viewer(&w.store, p).await);
    }
    let tasks: Vec<_> = viewers
        .into_iter()
        .map(|v| {
            let store = w.store.clone();
            tokio::spawn(async move {
                store
                    .register(&v, id, 0, &kizuna_store::registrations::NoMail)
                    .await
                    .expect("every registration is answered")
                    .registration
                    .status()
            })
        })
        .collect();
    let mut confirmed = 0;
    let mut waitlisted = 0;
    for t in tasks {
        match t.await.unwrap() {
            S::Confirmed => confirmed += 1,
            S::Waitlisted => waitlisted += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((confirmed, waitlisted), (50, 450));
    assert_eq!(seats_taken(&w.store, id).await, 50);
    let stored = w.store.participants(id).await.unwrap();
    assert_eq!(
        stored.iter().filter(|p| p.status == "confirmed").count(),
        50
    );
    assert_eq!(
        stored.iter().filter(|p| p.status == "waitlisted").count(),
        450
    );
}

async fn a_cancellation_offers_the_place_to_the_first_in_line_and_offers_expire_in_turn(
    store: Store,
) {
    let w = world(store).await;
    let mail = Recorder::default();
    let id = event(&w, &input(&w, "2")).await;
    let mut regs = Vec::new();
    let mut people = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let p = person(&w.store, &format!("{name}@example.jp")).await;
        let v = viewer(&w.store, p).await;
        regs.push(
            w.store
                .register(&v, id, 0, &mail)
                .await
                .unwrap()
                .registration,
        );
        people.push(p);
    }
    let statuses: Vec<S> = regs.iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses,
        [S::Confirmed, S::Confirmed, S::Waitlisted, S::Waitlisted]
    );
    assert_eq!(
        mail.take().iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [
            NoticeKind::Confirmed,
            NoticeKind::Confirmed,
            NoticeKind::Waitlisted,
            NoticeKind::Waitlisted
        ]
    );

    // A cancels: C, first in line, is offered the place (which is held).
    w.store
        .cancel_registration(people[0], regs[0].id, &mail)
        .await
        .unwrap();
    let c = w
        .store
        .my_registration(people[2], regs[2].id)
        .await
        .unwrap();
    assert_eq!(c.status(), S::Offered);
    let hours = c.offer_expires_at.unwrap() - kizuna_store::now();
    assert!(
        (23 * 3600..=24 * 3600).contains(&hours),
        "24 hours by default"
    );
    assert_eq!(
        w.store
            .my_registration(people[3], regs[3].id)
            .await
            .unwrap()
            .status(),
        S::Waitlisted
    );
    assert_eq!(
        seats_taken(&w.store, id).await,
        2,
        "the offered place is held"
    );
    assert_eq!(
        mail.take(),
        [
            (NoticeKind::Offered, "c@example.jp".into()),
            (NoticeKind::Cancelled, "a@example.jp".into())
        ]
    );

    // Nothing expires before its time.
    assert_eq!(w.store.expire_offers(&mail).await.unwrap(), 0);
    // C does not answer: the offer expires and moves on to D.
    sqlx::query("UPDATE registrations SET offer_expires_at = $1 WHERE id = $2")
        .bind(kizuna_store::now() - 1)
        .bind(c.id)
        .execute(w.store.pool())
        .await
        .unwrap();
    assert_eq!(w.store.expire_offers(&mail).await.unwrap(), 1);
    assert_eq!(
        w.store
            .my_registration(people[2], c.id)
            .await
            .unwrap()
            .status(),
        S::Expired
    );
    assert_eq!(
        w.store
            .my_registration(people[3], regs[3].id)
            .await
            .unwrap()
            .status(),
        S::Offered
    );
    assert_eq!(
        mail.take(),
        [
            (NoticeKind::OfferExpired, "c@example.jp".into()),
            (NoticeKind::Offered, "d@example.jp".into())
        ]
    );
    // C's late acceptance is refused; D accepts.
    assert!(matches!(
        w.store.accept_offer(people[2], c.id, &mail).await,
        Err(StoreError::Conflict("no_open_offer"))
    ));
    let d = w
        .store
        .accept_offer(people[3], regs[3].id, &mail)
        .await
        .unwrap();
    assert_eq!((d.status(), d.offer_expires_at), (S::Confirmed, None));
    assert_eq!(seats_taken(&w.store, id).await, 2);

    // An offer accepted after its time is refused as expired and moves on.
    let e = person(&w.store, "e@example.jp").await;
    let e_reg = w
        .store
        .register(&viewer(&w.store, e).await, id, 0, &mail)
        .await
        .unwrap()
        .registration;
    w.store
        .cancel_registration(people[1], regs[1].id, &mail)
        .await
        .unwrap();
    sqlx::query("UPDATE registrations SET offer_expires_at = $1 WHERE id = $2")
        .bind(kizuna_store::now() - 1)
        .bind(e_reg.id)
        .execute(w.store.pool())
        .await
        .unwrap();
    assert_eq!(
        conflict(w.store.accept_offer(e, e_reg.id, &mail).await),
        "offer_expired"
    );
    assert_eq!(
        w.store.my_registration(e, e_reg.id).await.unwrap().status(),
        S::Expired
    );
    assert_eq!(
        seats_taken(&w.store, id).await,
        1,
        "the place went back: nobody else waits"
    );

    // Every move is in the outbox as a mail to the right person.
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_addr = 'd@example.jp'")
            .fetch_one(w.store.pool())
            .await
            .unwrap();
    assert_eq!(queued, 3, "waitlisted, offered, confirmed");
}

async fn refusals_name_their_reason_and_store_nothing(store: Store) {
    let w = world(store).await;
    let mail = Recorder::default();
    let p = person(&w.store, "x@example.jp").await;
    let v = viewer(&w.store, p).await;

    let mut closed = input(&w, "10");
    closed.registration_closes_at = "2020-01-01T00:00".into();
    closed.registration_opens_at = "2019-12-01T00:00".into();
    let closed = event(&w, &closed).await;
    assert_eq!(
        conflict(w.store.register(&v, closed, 0, &mail).await),
        "registration_closed"
    );

    let mut later = input(&w, "10");
    later.registration_opens_at =
        kizuna_domain::event::jst_input_value(kizuna_store::now() + 86_400);
    let later = event(&w, &later).await;
    assert_eq!(
        conflict(w.store.register(&v, later, 0, &mail).await),
        "registration_not_open"
    );

    let open = event(&w, &input(&w, "3")).await;
    assert_eq!(
        conflict(w.store.register(&v, open, 3, &mail).await),
        "party_larger_than_capacity"
    );
    assert!(matches!(
        w.store.register(&v, open, 11, &mail).await,
        Err(StoreError::Invalid(e)) if e.field == "guests"
    ));
    let r = w
        .store
        .register(&v, open, 1, &mail)
        .await
        .unwrap()
        .registration;
    assert_eq!((r.status(), r.seats), (S::Confirmed, 2));
    assert_eq!(
        conflict(w.store.register(&v, open, 0, &mail).await),
        "already_registered"
    );

    // Capacity cannot go below the places taken; nothing changes.
    let mut smaller = input(&w, "1");
    smaller.title = "変更".into();
    assert_eq!(
        conflict(
            w.store
                .update_event(p, open, &NewEvent::parse(&smaller).unwrap(), &mail)
                .await
        ),
        "capacity_below_confirmed"
    );
    let e = w.store.event(&v, open).await.unwrap();
    assert_eq!(
        (e.capacity, e.title.as_str()),
        (Some(3), "県職員との対話会")
    );

    // A forged code checks nobody in.
    assert_eq!(
        conflict(w.store.check_in(p, open, "ZZZZ2222").await),
        "unknown_code"
    );
    // Only the owner cancels; after cancelling, twice is refused.
    let other = person(&w.store, "y@example.jp").await;
    assert!(matches!(
        w.store.cancel_registration(other, r.id, &mail).await,
        Err(StoreError::NotFound)
    ));
    w.store.cancel_registration(p, r.id, &mail).await.unwrap();
    assert_eq!(
        conflict(w.store.cancel_registration(p, r.id, &mail).await),
        "registration_not_active"
    );
    assert_eq!(seats_taken(&w.store, open).await, 0);
    // Registering again after cancelling is allowed, with a new code.
    let again = w
        .store
        .register(&v, open, 0, &mail)
        .await
        .unwrap()
        .registration;
    assert_eq!((again.id, again.status()), (r.id, S::Confirmed));
    assert_ne!(again.code, r.code);

    // An end before the start never reaches the store.
    let mut backwards = input(&w, "");
    backwards.ends_at = backwards.starts_at.clone();
    assert_eq!(
        NewEvent::parse(&backwards).unwrap_err().code,
        "end_before_start"
    );
}

async fn events_are_seen_only_by_those_they_are_for(store: Store) {
    let w = world(store).await;
    let mail = Recorder::default();
    let outsider = person(&w.store, "outsider@example.jp").await;
    let outsider = viewer(&w.store, outsider).await;
    let employee = person(&w.store, "employee@example.jp").await;
    w.store
        .add_membership(None, employee, w.company, None)
        .await
        .unwrap();
    let employee = viewer(&w.store, employee).await;

    let mut private = input(&w, "5");
    private.visibility = "organisation".into();
    private.title = "社内説明会".into();
    let private = event(&w, &private).await;
    let public = event(&w, &input(&w, "5")).await;

    assert!(matches!(
        w.store.event(&outsider, private).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        w.store.register(&outsider, private, 0, &mail).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        w.store.event(&Viewer::visitor(), private).await,
        Err(StoreError::NotFound)
    ));
    let listed = |v: Viewer| {
        let store = w.store.clone();
        async move {
            store
                .events(
                    &v,
                    &EventFilter {
                        limit: 50,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(outsider.clone()).await, vec![public]);
    assert_eq!(listed(Viewer::visitor()).await, vec![public]);
    let mut mine = listed(employee.clone()).await;
    mine.sort();
    assert_eq!(mine, vec![private, public]);
    assert_eq!(
        w.store
            .register(&employee, private, 0, &mail)
            .await
            .unwrap()
            .registration
            .status(),
        S::Confirmed
    );
    // Past events leave the default list.
    let mut past = input(&w, "5");
    past.starts_at = "2020-01-01T10:00".into();
    past.ends_at = "2020-01-01T12:00".into();
    let past = event(&w, &past).await;
    assert!(!listed(Viewer::visitor()).await.contains(&past));
}

async fn check_in_marks_attendance_once_and_writes_the_ledger(store: Store) {
    let w = world(store).await;
    let mail = Recorder::default();
    let p = person(&w.store, "fan@example.jp").await;
    let fan = w
        .store
        .join_pr_corps(
            p,
            w.partnership,
            &kizuna_domain::fan::FanProfile::parse(&kizuna_domain::fan::FanInput {
                display_name: "ファン".into(),
                full_name: "福島 花子".into(),
                full_name_kana: "ふくしま はなこ".into(),
                ..Default::default()
            })
            .unwrap(),
        )
        .await
        .unwrap();
    let mut shift = input(&w, "5");
    shift.kind = "volunteer".into();
    shift.municipality_code = "072010".into();
    let shift = event(&w, &shift).await;
    let v = viewer(&w.store, p).await;
    let r = w
        .store
        .register(&v, shift, 0, &mail)
        .await
        .unwrap()
        .registration;
    let staff = w.organiser.person_id.unwrap();

    let typed = r.code.to_lowercase().replace("", " ");
    let first = w.store.check_in(staff, shift, &typed).await.unwrap();
    assert!(!first.already && first.registration.checked_in_at.is_some());
    let second = w.store.check_in(staff, shift, &r.code).await.unwrap();
    assert!(second.already, "a second scan says so");
    // The code of one event does not check in at another.
    let other = event(&w, &input(&w, "5")).await;
    assert!(matches!(
        w.store.check_in(staff, other, &r.code).await,
        Err(StoreError::Conflict("unknown_code"))
    ));
    let entries = w
        .store
        .ledger(fan, &kizuna_store::ledger::LedgerFilter::default())
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "one entry however often scanned");
    assert_eq!(entries[0].kind, "volunteer_hours");
    assert_eq!(entries[0].municipality_code.as_deref(), Some("072010"));
    assert_eq!(entries[0].minutes, Some(120));
    // Checked in: no cancelling afterwards.
    assert!(matches!(
        w.store.cancel_registration(p, r.id, &mail).await,
        Err(StoreError::Conflict("already_checked_in"))
    ));
}

async fn approval_and_transfer_keep_the_place_accounting_right(store: Store) {
    let w = world(store).await;
    let mail = Recorder::default();
    let mut approval = input(&w, "1");
    approval.needs_approval = true;
    let id = event(&w, &approval).await;
    let a = person(&w.store, "a@example.jp").await;
    let b = person(&w.store, "b@example.jp").await;
    let ra = w
        .store
        .register(&viewer(&w.store, a).await, id, 0, &mail)
        .await
        .unwrap()
        .registration;
    let rb = w
        .store
        .register(&viewer(&w.store, b).await, id, 0, &mail)
        .await
        .unwrap()
        .registration;
    assert_eq!(
        (ra.status(), rb.status(), seats_taken(&w.store, id).await),
        (S::Pending, S::Pending, 0)
    );
    let staff = w.organiser.person_id.unwrap();
    assert_eq!(
        w.store
            .decide_registration(staff, ra.id, true, &mail)
            .await
            .unwrap()
            .status(),
        S::Confirmed
    );
    assert_eq!(
        w.store
            .decide_registration(staff, rb.id, true, &mail)
            .await
            .unwrap()
            .status(),
        S::Waitlisted,
        "approved but full"
    );
    assert!(matches!(
        w.store
            .decide_registration(staff, rb.id, false, &mail)
            .await,
        Err(StoreError::Conflict("registration_not_pending"))
    ));

    // A hands the place to colleague C: same place, new code, C is told.
    let c = person(&w.store, "c@example.jp").await;
    mail.take();
    let moved = w
        .store
        .transfer_registration(a, ra.id, &viewer(&w.store, c).await, &mail)
        .await
        .unwrap();
    assert_eq!((moved.person_id, moved.status()), (c, S::Confirmed));
    assert_ne!(moved.code, ra.code);
    assert_eq!(
        mail.take(),
        [(NoticeKind::Confirmed, "c@example.jp".into())]
    );
    assert_eq!(seats_taken(&w.store, id).await, 1);
    assert!(matches!(
        w.store.my_registration(a, ra.id).await,
        Err(StoreError::NotFound)
    ));
    // B, waiting, cannot be handed a second registration.
    assert!(matches!(
        w.store
            .transfer_registration(c, ra.id, &viewer(&w.store, b).await, &mail)
            .await,
        Err(StoreError::Conflict("already_registered"))
    ));
    // C cancels: B is offered the place.
    w.store.cancel_registration(c, ra.id, &mail).await.unwrap();
    assert_eq!(
        w.store.my_registration(b, rb.id).await.unwrap().status(),
        S::Offered
    );
}

fn conflict<T>(r: Result<T, StoreError>) -> &'static str {
    match r {
        Err(StoreError::Conflict(code)) => code,
        Err(e) => panic!("unexpected {e:?}"),
        Ok(_) => panic!("accepted"),
    }
}

async fn changes_cancellation_and_reminders_reach_everyone_registered_once(store: Store) {
    let w = world(store).await;
    let mail = Recorder::default();
    let mut soon = input(&w, "1");
    let starts = kizuna_store::now() + 12 * 3600;
    soon.starts_at = kizuna_domain::event::jst_input_value(starts);
    soon.ends_at = kizuna_domain::event::jst_input_value(starts + 3600);
    let id = event(&w, &soon).await;
    let a = person(&w.store, "a@example.jp").await;
    let b = person(&w.store, "b@example.jp").await;
    let c = person(&w.store, "c@example.jp").await;
    for p in [a, b, c] {
        w.store
            .register(&viewer(&w.store, p).await, id, 0, &mail)
            .await
            .unwrap();
    }
    let rc = w.store.registration_for(c, id).await.unwrap().unwrap();
    w.store.cancel_registration(c, rc.id, &mail).await.unwrap();
    mail.take();

    // Reminders: the confirmed person, once, however often the job runs.
    assert_eq!(w.store.send_reminders(&mail).await.unwrap(), 1);
    assert_eq!(w.store.send_reminders(&mail).await.unwrap(), 0);
    assert_eq!(mail.take(), [(NoticeKind::Reminder, "a@example.jp".into())]);

    // A new title alone is no news; a new place is, for everyone registered.
    let staff = w.organiser.person_id.unwrap();
    let mut renamed = soon.clone();
    renamed.title = "対話会（第2回）".into();
    w.store
        .update_event(staff, id, &NewEvent::parse(&renamed).unwrap(), &mail)
        .await
        .unwrap();
    assert!(mail.take().is_empty());
    renamed.venue = "いわき市役所".into();
    w.store
        .update_event(staff, id, &NewEvent::parse(&renamed).unwrap(), &mail)
        .await
        .unwrap();
    assert_eq!(
        mail.take(),
        [
            (NoticeKind::EventChanged, "a@example.jp".into()),
            (NoticeKind::EventChanged, "b@example.jp".into())
        ]
    );

    // Cancelling tells them too and closes registration.
    w.store
        .cancel_event(staff, id, Some("荒天のため"), &mail)
        .await
        .unwrap();
    assert_eq!(mail.take().len(), 2);
    let d = person(&w.store, "d@example.jp").await;
    assert_eq!(
        conflict(
            w.store
                .register(&viewer(&w.store, d).await, id, 0, &mail)
                .await
        ),
        "event_cancelled"
    );
    assert_eq!(
        conflict(w.store.cancel_event(staff, id, None, &mail).await),
        "event_cancelled"
    );
    assert_eq!(
        w.store.send_reminders(&mail).await.unwrap(),
        0,
        "no reminder for a cancelled event"
    );
}

async fn an_erased_account_gives_its_place_to_the_next_in_line_and_exports_list_registrations(
    store: Store,
) {
    let w = world(store).await;
    let mail = Recorder::default();
    let id = event(&w, &input(&w, "1")).await;
    let a = person(&w.store, "a@example.jp").await;
    let b = person(&w.store, "b@example.jp").await;
    w.store
        .register(&viewer(&w.store, a).await, id, 0, &mail)
        .await
        .unwrap();
    let rb = w
        .store
        .register(&viewer(&w.store, b).await, id, 0, &mail)
        .await
        .unwrap()
        .registration;
    let data = w.store.personal_data(a).await.unwrap();
    assert_eq!(
        data.event_registrations.len(),
        1,
        "the APPI export lists registrations"
    );
    assert_eq!(data.event_registrations[0].title, "県職員との対話会");
    mail.take();
    w.store.erase_person(a, &mail).await.unwrap();
    assert_eq!(
        w.store.my_registration(b, rb.id).await.unwrap().status(),
        S::Offered
    );
    assert_eq!(
        seats_taken(&w.store, id).await,
        1,
        "B's offer holds the one place"
    );
    assert_eq!(mail.take(), [(NoticeKind::Offered, "b@example.jp".into())]);
    assert_eq!(
        w.store.participants(id).await.unwrap().len(),
        1,
        "A is gone"
    );
}

async fn series_repeat_on_their_dates_and_shifts_have_their_own_places(store: Store) {
    use kizuna_store::events::Repeat;
    let w = world(store).await;
    let mail = Recorder::default();
    let staff = w.organiser.person_id.unwrap();
    // Monthly from 31 January: the 28th in February, the 31st in March (JST).
    let mut monthly = input(&w, "10");
    monthly.starts_at = "2031-01-31T10:00".into();
    monthly.ends_at = "2031-01-31T12:00".into();
    let ids = w
        .store
        .create_event_series(
            staff,
            w.partnership,
            &NewEvent::parse(&monthly).unwrap(),
            Repeat::Monthly,
            3,
        )
        .await
        .unwrap();
    let dates: Vec<String> = {
        let first = w.store.event(&Viewer::visitor(), ids[0]).await.unwrap();
        w.store
            .series_events(first.series_id.unwrap())
            .await
            .unwrap()
            .iter()
            .map(|e| kizuna_domain::event::jst_input_value(e.starts_at))
            .collect()
    };
    assert_eq!(
        dates,
        ["2031-01-31T10:00", "2031-02-28T10:00", "2031-03-31T10:00"]
    );
    let weekly = Repeat::Weekly.shift(1_000, 2);
    assert_eq!(weekly, 1_000 + 14 * 86_400);
    assert!(matches!(
        w.store
            .create_event_series(staff, w.partnership, &NewEvent::parse(&monthly).unwrap(), Repeat::Weekly, 30)
            .await,
        Err(StoreError::Invalid(e)) if e.field == "repeat_count"
    ));

    // Shifts: their own places; the list shows only the event itself.
    let drive = event(&w, &input(&w, "")).await;
    let parent = w.store.event(&Viewer::visitor(), drive).await.unwrap();
    let morning = w
        .store
        .add_shift(
            staff,
            drive,
            "午前の部",
            parent.starts_at,
            parent.starts_at + 3600,
            Some(1),
        )
        .await
        .unwrap();
    w.store
        .add_shift(
            staff,
            drive,
            "午後の部",
            parent.starts_at + 3600,
            parent.ends_at,
            Some(1),
        )
        .await
        .unwrap();
    assert!(matches!(
        w.store
            .add_shift(
                staff,
                morning,
                "入れ子",
                parent.starts_at,
                parent.ends_at,
                None
            )
            .await,
        Err(StoreError::Conflict("shift_of_a_shift"))
    ));
    let shifts = w.store.shifts(drive).await.unwrap();
    assert_eq!(
        shifts.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(),
        ["午前の部", "午後の部"]
    );
    assert_eq!(
        shifts[0].visibility, "public",
        "a shift is seen by whoever sees the event"
    );
    let listed = w
        .store
        .events(
            &Viewer::visitor(),
            &EventFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(listed.iter().any(|e| e.id == drive) && !listed.iter().any(|e| e.id == morning));
    let a = person(&w.store, "a@example.jp").await;
    let b = person(&w.store, "b@example.jp").await;
    let va = viewer(&w.store, a).await;
    w.store.register(&va, morning, 0, &mail).await.unwrap();
    assert_eq!(
        w.store
            .register(&viewer(&w.store, b).await, morning, 0, &mail)
            .await
            .unwrap()
            .registration
            .status(),
        S::Waitlisted,
        "the shift's own places"
    );
    // A second shift at the same time as one's registration warns.
    let done = w.store.register(&va, drive, 0, &mail).await.unwrap();
    assert_eq!(
        done.overlaps.iter().map(|o| o.event_id).collect::<Vec<_>>(),
        [morning]
    );
}

async fn list_follows_changes(here: Store, elsewhere: Store) {
    let w = world(here).await;
    let id = event(&w, &input(&w, "10")).await;
    let all = EventFilter {
        limit: 50,
        ..Default::default()
    };
    let places_left = |store: Store| {
        let all = all.clone();
        async move {
            store.events(&Viewer::visitor(), &all).await.unwrap()[0]
                .places_left()
                .unwrap()
        }
    };
    assert_eq!(places_left(w.store.clone()).await, 10);
    assert_eq!(places_left(elsewhere.clone()).await, 10);
    let p = person(&w.store, "a@example.jp").await;
    w.store
        .register(&viewer(&w.store, p).await, id, 1, &NoMail)
        .await
        .unwrap();
    assert_eq!(
        places_left(w.store.clone()).await,
        8,
        "this process: at once"
    );
    tokio::time::sleep(kizuna_store::recent::FRESH + std::time::Duration::from_millis(50)).await;
    assert_eq!(
        places_left(elsewhere.clone()).await,
        8,
        "another: within FRESH"
    );

    // A new event shows at once where it was made.
    let second = event(&w, &input(&w, "")).await;
    let listed: Vec<i64> = w
        .store
        .events(&Viewer::visitor(), &all)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert!(listed.contains(&second));
}
