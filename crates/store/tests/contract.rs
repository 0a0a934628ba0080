//! The store's contract: every test runs against SQLite and PostgreSQL.
//! The PostgreSQL half is listed as ignored, with the reason, when
//! KIZUNA_TEST_POSTGRES_URL is not set (CI always sets it).

use kizuna_domain::organisation::OrganisationInput;
use kizuna_domain::{
    NewOrganisation, OrganisationProfile, Role, RoleAssignment, Viewer, Visibility,
};
use kizuna_store::auth_tokens::TokenPurpose;
use kizuna_store::login_attempts::Throttle;
use kizuna_store::outbox::Mail;
use kizuna_store::partnerships::NewPartnership;
use kizuna_store::people::NewAccount;
use kizuna_store::{Store, StoreError, tokens};

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
    seed_has_the_prefecture_and_59_municipalities,
    migrating_twice_changes_nothing,
    sign_up_stores_person_consent_link_and_mail_together,
    a_taken_email_is_a_conflict_and_stores_nothing,
    a_verification_link_works_once,
    an_expired_link_is_refused,
    a_password_reset_ends_every_session,
    sessions_find_their_person_until_deleted,
    revoked_api_tokens_stop_working,
    nobody_can_revoke_another_persons_token,
    members_only_partnerships_are_hidden_from_outsiders,
    an_invalid_code_never_reaches_the_database,
    a_role_cannot_be_given_twice,
    claimed_mail_is_not_claimed_again_until_the_lease_ends,
    five_failed_sign_ins_lock_the_account,
    demo_data_loads_once_and_fills_the_partnership,
    pillars_can_be_renamed_added_and_removed,
    every_change_is_in_the_audit_log,
    personal_data_is_exported_whole_and_erased_without_trace,
    memberships_are_added_updated_and_removed,
);

fn account<'a>(email: &'a str) -> NewAccount<'a> {
    NewAccount {
        email,
        password_hash: "$argon2id$test",
        display_name: "福島 花子",
        name_kana: Some("ふくしま はなこ"),
        locale: "ja",
        notice_version: "2026-11",
    }
}

fn mail(to: &str) -> Mail {
    Mail {
        to_addr: to.into(),
        subject: "確認".into(),
        text_body: "本文".into(),
        html_body: "<p>本文</p>".into(),
        calendar: None,
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn signed_up(store: &Store, email: &str) -> (i64, String) {
    let secret = tokens::new_secret("");
    let id = store
        .sign_up(&account(email), &tokens::hash(&secret), &mail(email))
        .await
        .unwrap();
    (id, secret)
}

async fn seed_has_the_prefecture_and_59_municipalities(store: Store) {
    let all = store.municipalities().await.unwrap();
    assert_eq!(all.len(), 59);
    let fukushima = store.municipality_by_code("072010").await.unwrap().unwrap();
    assert_eq!(
        (fukushima.name.as_str(), fukushima.region.as_str()),
        ("福島市", "県北")
    );
    assert!(fukushima.office_lat.is_some());
    let groups = kizuna_store::municipalities::by_region(&all);
    assert_eq!(
        groups.iter().map(|(_, l)| l.len()).collect::<Vec<_>>(),
        vec![8, 12, 9, 13, 4, 12, 1]
    );
    let prefs = store
        .organisations(&Viewer::visitor(), Some("prefecture"))
        .await
        .unwrap();
    assert_eq!(prefs.len(), 1);
    assert_eq!(prefs[0].local_gov_code.as_deref(), Some("070009"));
}

async fn migrating_twice_changes_nothing(store: Store) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(count(&store, "municipalities").await, 59);
    assert_eq!(count(&store, "organisations").await, 60);
}

async fn sign_up_stores_person_consent_link_and_mail_together(store: Store) {
    let (id, _) = signed_up(&store, "hanako@example.jp").await;
    let person = store.person(id).await.unwrap();
    assert_eq!(person.email, "hanako@example.jp");
    assert!(person.email_verified_at.is_none());
    let consents = store.consents(id).await.unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(
        (
            consents[0].purpose.as_str(),
            consents[0].notice_version.as_str()
        ),
        ("privacy_notice", "2026-11")
    );
    assert_eq!(
        store.mail_to("hanako@example.jp").await.unwrap(),
        vec![mail("hanako@example.jp")]
    );
    assert_eq!(count(&store, "auth_tokens").await, 1);
}

async fn a_taken_email_is_a_conflict_and_stores_nothing(store: Store) {
    signed_up(&store, "taro@example.jp").await;
    let before = (
        count(&store, "people").await,
        count(&store, "outbox").await,
        count(&store, "consents").await,
    );
    let again = store
        .sign_up(&account("taro@example.jp"), "h", &mail("taro@example.jp"))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("email_taken"))),
        "{again:?}"
    );
    let after = (
        count(&store, "people").await,
        count(&store, "outbox").await,
        count(&store, "consents").await,
    );
    assert_eq!(before, after);
}

async fn a_verification_link_works_once(store: Store) {
    let (id, secret) = signed_up(&store, "jiro@example.jp").await;
    assert_eq!(
        store.verify_email(&tokens::hash(&secret)).await.unwrap(),
        id
    );
    assert!(store.person(id).await.unwrap().email_verified_at.is_some());
    assert!(matches!(
        store.verify_email(&tokens::hash(&secret)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.verify_email(&tokens::hash("forged")).await,
        Err(StoreError::NotFound)
    ));
}

async fn an_expired_link_is_refused(store: Store) {
    let (id, _) = signed_up(&store, "saburo@example.jp").await;
    let secret = tokens::new_secret("");
    assert!(
        store
            .issue_link(
                "saburo@example.jp",
                TokenPurpose::ResetPassword,
                &tokens::hash(&secret),
                &mail("saburo@example.jp")
            )
            .await
            .unwrap()
    );
    store.expire_links_of(id).await.unwrap();
    assert!(matches!(
        store.reset_password(&tokens::hash(&secret), "new").await,
        Err(StoreError::Expired)
    ));
    let creds = store
        .credentials("saburo@example.jp")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        creds.password_hash, "$argon2id$test",
        "an expired link must not change the password"
    );
}

async fn a_password_reset_ends_every_session(store: Store) {
    let (id, _) = signed_up(&store, "shiro@example.jp").await;
    store.create_session(id, "session-hash").await.unwrap();
    let secret = tokens::new_secret("");
    store
        .issue_link(
            "shiro@example.jp",
            TokenPurpose::ResetPassword,
            &tokens::hash(&secret),
            &mail("shiro@example.jp"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .reset_password(&tokens::hash(&secret), "$argon2id$new")
            .await
            .unwrap(),
        id
    );
    assert!(
        store
            .session_person("session-hash")
            .await
            .unwrap()
            .is_none()
    );
    let creds = store
        .credentials("shiro@example.jp")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.password_hash, "$argon2id$new");
    assert!(
        creds.email_verified_at.is_some(),
        "a reset link proves the address"
    );
    assert!(
        !store
            .issue_link(
                "nobody@example.jp",
                TokenPurpose::ResetPassword,
                "x",
                &mail("nobody@example.jp")
            )
            .await
            .unwrap()
    );
}

async fn sessions_find_their_person_until_deleted(store: Store) {
    let (id, _) = signed_up(&store, "goro@example.jp").await;
    store.create_session(id, "abc").await.unwrap();
    let who = store.session_person("abc").await.unwrap().unwrap();
    assert_eq!(who.viewer.person_id, Some(id));
    assert_eq!(who.display_name, "福島 花子");
    store.delete_session("abc").await.unwrap();
    assert!(store.session_person("abc").await.unwrap().is_none());
}

async fn revoked_api_tokens_stop_working(store: Store) {
    let (id, _) = signed_up(&store, "api@example.jp").await;
    let token_id = store
        .create_api_token(id, "集計", "token-hash", "kz_1234567")
        .await
        .unwrap();
    assert_eq!(
        store
            .api_token_person("token-hash")
            .await
            .unwrap()
            .unwrap()
            .viewer
            .person_id,
        Some(id)
    );
    store.revoke_api_token(id, token_id).await.unwrap();
    assert!(
        store
            .api_token_person("token-hash")
            .await
            .unwrap()
            .is_none()
    );
    let listed = store.api_tokens(id).await.unwrap();
    assert!(listed[0].revoked_at.is_some() && listed[0].last_used_at.is_some());
}

async fn nobody_can_revoke_another_persons_token(store: Store) {
    let (a, _) = signed_up(&store, "a@example.jp").await;
    let (b, _) = signed_up(&store, "b@example.jp").await;
    let token = store
        .create_api_token(a, "a's", "hash-a", "kz_aaaaaaa")
        .await
        .unwrap();
    assert!(matches!(
        store.revoke_api_token(b, token).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.api_token_person("hash-a").await.unwrap().is_some());
}

async fn members_only_partnerships_are_hidden_from_outsiders(store: Store) {
    let input = |name: &str| OrganisationInput {
        kind: "company".into(),
        name: name.into(),
        ..Default::default()
    };
    let open_co = store
        .create_organisation(
            None,
            &NewOrganisation::parse(&input("公開株式会社")).unwrap(),
        )
        .await
        .unwrap();
    let hidden_co = store
        .create_organisation(
            None,
            &NewOrganisation::parse(&input("非公開株式会社")).unwrap(),
        )
        .await
        .unwrap();
    let np = |name, visibility| NewPartnership {
        name,
        name_en: None,
        description: None,
        visibility,
        signed_on: None,
    };
    let public = store
        .create_partnership(None, &np("公開の連携", Visibility::Public), &[open_co])
        .await
        .unwrap();
    let private = store
        .create_partnership(None, &np("非公開の連携", Visibility::Members), &[hidden_co])
        .await
        .unwrap();
    let (insider, _) = signed_up(&store, "insider@example.jp").await;
    store
        .assign_role(
            None,
            insider,
            &RoleAssignment::new(private, Role::Member, None).unwrap(),
        )
        .await
        .unwrap();
    let (outsider, _) = signed_up(&store, "outsider@example.jp").await;

    let visitor = Viewer::visitor();
    let outsider = store.signed_in(outsider).await.unwrap().viewer;
    let insider = store.signed_in(insider).await.unwrap().viewer;
    let admin = Viewer {
        person_id: Some(-5),
        is_instance_admin: true,
        roles: vec![],
    };
    for v in [&visitor, &outsider] {
        let ids: Vec<i64> = store
            .partnerships(v)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![public]);
        assert!(matches!(
            store.partnership(v, private).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.organisation(v, hidden_co).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.organisation(v, open_co).await.is_ok());
        assert!(
            !store
                .organisations(v, Some("company"))
                .await
                .unwrap()
                .iter()
                .any(|o| o.id == hidden_co)
        );
    }
    for v in [&insider, &admin] {
        assert!(store.partnership(v, private).await.is_ok());
        assert!(store.organisation(v, hidden_co).await.is_ok());
        assert_eq!(
            store
                .partnerships_for_organisation(v, hidden_co)
                .await
                .unwrap()
                .len(),
            1
        );
    }
    assert!(
        store
            .partnerships_for_organisation(&visitor, hidden_co)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_invalid_code_never_reaches_the_database(store: Store) {
    let bad = OrganisationInput {
        kind: "municipality".into(),
        name: "架空村".into(),
        local_gov_code: "072011".into(),
        ..Default::default()
    };
    assert_eq!(
        NewOrganisation::parse(&bad).unwrap_err().code,
        "code_check_digit"
    );
    let taken = OrganisationInput {
        kind: "municipality".into(),
        name: "二つ目の福島市".into(),
        local_gov_code: "072010".into(),
        ..Default::default()
    };
    let result = store
        .create_organisation(None, &NewOrganisation::parse(&taken).unwrap())
        .await;
    assert!(
        matches!(result, Err(StoreError::Conflict("local_gov_code_taken"))),
        "{result:?}"
    );
    assert_eq!(count(&store, "organisations").await, 60);
}

async fn a_role_cannot_be_given_twice(store: Store) {
    let (id, _) = signed_up(&store, "role@example.jp").await;
    let p = store
        .create_partnership(
            None,
            &NewPartnership {
                name: "連携",
                name_en: None,
                description: None,
                visibility: Visibility::Public,
                signed_on: None,
            },
            &[],
        )
        .await
        .unwrap();
    let muni = store
        .organisation_id_by_code("072044")
        .await
        .unwrap()
        .unwrap();
    let staff = RoleAssignment::new(p, Role::MunicipalStaff, Some(muni)).unwrap();
    store.assign_role(None, id, &staff).await.unwrap();
    assert!(matches!(
        store.assign_role(None, id, &staff).await,
        Err(StoreError::Conflict("role_already_held"))
    ));
    let coord = RoleAssignment::new(p, Role::Coordinator, None).unwrap();
    store.assign_role(None, id, &coord).await.unwrap();
    assert!(matches!(
        store.assign_role(None, id, &coord).await,
        Err(StoreError::Conflict("role_already_held"))
    ));
    let roles = store.roles_of(id).await.unwrap();
    assert_eq!(roles, vec![staff, coord]);
    let viewer = store.signed_in(id).await.unwrap().viewer;
    let other = store
        .organisation_id_by_code("072010")
        .await
        .unwrap()
        .unwrap();
    assert!(viewer.can_edit_organisation(muni, &[p]));
    assert!(
        viewer.can_edit_organisation(other, &[p]),
        "coordinators edit every party's page"
    );
}

async fn claimed_mail_is_not_claimed_again_until_the_lease_ends(store: Store) {
    signed_up(&store, "m1@example.jp").await;
    signed_up(&store, "m2@example.jp").await;
    let first = store.claim_mail(10).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(store.claim_mail(10).await.unwrap().is_empty());
    store.mark_mail_sent(first[0].id).await.unwrap();
    store
        .mark_mail_failed(first[1].id, first[1].attempts, "connection refused")
        .await
        .unwrap();
    assert_eq!(store.unsent_mail_count().await.unwrap(), 1);
    assert!(
        store.claim_mail(10).await.unwrap().is_empty(),
        "a failed mail waits for its back-off"
    );
}

async fn five_failed_sign_ins_lock_the_account(store: Store) {
    for _ in 0..4 {
        store
            .record_login_attempt("x@example.jp", "10.0.0.1", false)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .login_throttle("x@example.jp", "10.0.0.1")
            .await
            .unwrap(),
        Throttle::Open
    );
    store
        .record_login_attempt("x@example.jp", "10.0.0.1", false)
        .await
        .unwrap();
    assert_eq!(
        store
            .login_throttle("x@example.jp", "10.0.0.2")
            .await
            .unwrap(),
        Throttle::AccountLocked
    );
    assert_eq!(
        store
            .login_throttle("y@example.jp", "10.0.0.2")
            .await
            .unwrap(),
        Throttle::Open
    );
    for i in 0..20 {
        store
            .record_login_attempt(&format!("u{i}@example.jp"), "10.9.9.9", false)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .login_throttle("new@example.jp", "10.9.9.9")
            .await
            .unwrap(),
        Throttle::AddressLocked
    );
}

async fn demo_data_loads_once_and_fills_the_partnership(store: Store) {
    store.load_demo("$argon2id$demo").await.unwrap();
    assert!(matches!(
        store.load_demo("x").await,
        Err(StoreError::Conflict("database_not_empty"))
    ));
    let visitor = Viewer::visitor();
    let list = store.partnerships(&visitor).await.unwrap();
    assert_eq!(
        list.len(),
        1,
        "the members-only demo partnership stays hidden"
    );
    assert_eq!(list[0].name, "福島県 × NECグループ");
    let f = store.partnership_figures(list[0].id).await.unwrap();
    assert_eq!((f.companies, f.municipalities, f.schools), (5, 59, 3));
    assert!(
        f.people >= 40 && f.coordinators == 2 && f.municipal_staff == 6,
        "{f:?}"
    );
    let nec = store
        .organisations(&visitor, Some("company"))
        .await
        .unwrap();
    assert!(
        nec.iter()
            .any(|o| o.parent_name.as_deref() == Some("日本電気株式会社"))
    );
    // Events: upcoming ones for the partnership's people, one full with a
    // waitlist, and a past one with attendance and feedback.
    let member = store
        .person_by_email(&format!("member@{}", kizuna_store::demo::DEMO_DOMAIN))
        .await
        .unwrap()
        .unwrap();
    let member = store.signed_in(member.id).await.unwrap().viewer;
    let upcoming = store
        .events(
            &member,
            &kizuna_store::events::EventFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(upcoming.len(), 5);
    assert!(
        store
            .events(
                &visitor,
                &kizuna_store::events::EventFilter {
                    limit: 50,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty(),
        "demo events are for the partnership's people"
    );
    let tour = upcoming.iter().find(|e| e.kind == "tour").unwrap();
    let a = store.attendance(tour.id).await.unwrap();
    assert_eq!((a.confirmed, a.waitlisted), (5, 3));
    let past = store
        .events(
            &member,
            &kizuna_store::events::EventFilter {
                include_past: true,
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let past = past
        .iter()
        .find(|e| e.ends_at < kizuna_store::now())
        .unwrap();
    let a = store.attendance(past.id).await.unwrap();
    assert_eq!((a.checked_in, a.no_shows, a.feedback_count), (8, 2, 5));
}

async fn pillars_can_be_renamed_added_and_removed(store: Store) {
    let p = store
        .create_partnership(
            None,
            &NewPartnership {
                name: "連携",
                name_en: None,
                description: None,
                visibility: Visibility::Public,
                signed_on: None,
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(store.pillars(p).await.unwrap().len(), 6);
    let key = kizuna_domain::PillarKey::parse("dx").unwrap();
    store
        .save_pillar(1, p, &key, "自治体DX", "Municipal DX")
        .await
        .unwrap();
    let new = kizuna_domain::PillarKey::parse("sports").unwrap();
    store
        .save_pillar(1, p, &new, "スポーツ振興", "Sports")
        .await
        .unwrap();
    let pillars = store.pillars(p).await.unwrap();
    assert_eq!(pillars.len(), 7);
    assert_eq!(pillars[0].name_ja, "自治体DX");
    assert_eq!(pillars[6].key, "sports");
    store.delete_pillar(1, p, pillars[6].id).await.unwrap();
    assert_eq!(store.pillars(p).await.unwrap().len(), 6);
    assert!(matches!(
        store.delete_pillar(1, p + 1, pillars[0].id).await,
        Err(StoreError::NotFound)
    ));
}

async fn every_change_is_in_the_audit_log(store: Store) {
    let (id, _) = signed_up(&store, "audit@example.jp").await;
    let org = store
        .organisation_id_by_code("075213")
        .await
        .unwrap()
        .unwrap();
    store
        .update_organisation_profile(
            id,
            org,
            &OrganisationProfile::parse("https://www.town.miharu.fukushima.jp/", "滝桜の町")
                .unwrap(),
        )
        .await
        .unwrap();
    let log = store.recent_audit(10).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["organisation.update", "person.sign_up"]);
    assert_eq!(log[0].actor_name.as_deref(), Some("福島 花子"));
}

async fn personal_data_is_exported_whole_and_erased_without_trace(store: Store) {
    let (id, _) = signed_up(&store, "appi@example.jp").await;
    let p = store
        .create_partnership(
            None,
            &NewPartnership {
                name: "連携",
                name_en: None,
                description: None,
                visibility: Visibility::Public,
                signed_on: None,
            },
            &[],
        )
        .await
        .unwrap();
    store
        .assign_role(
            Some(id),
            id,
            &RoleAssignment::new(p, Role::Member, None).unwrap(),
        )
        .await
        .unwrap();
    store
        .create_api_token(id, "私のトークン", "appi-token", "kz_appi000")
        .await
        .unwrap();
    store.create_session(id, "appi-session").await.unwrap();
    store
        .record_login_attempt("appi@example.jp", "192.0.2.1", true)
        .await
        .unwrap();

    let data = store.personal_data(id).await.unwrap();
    assert_eq!(data.person.email, "appi@example.jp");
    assert_eq!(
        (
            data.consents.len(),
            data.roles.len(),
            data.api_tokens.len(),
            data.active_sessions
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        (data.sign_in_attempts.len(), data.mail_sent_to_you.len()),
        (1, 1)
    );
    assert!(data.your_actions.iter().any(|a| a.action == "role.assign"));

    store
        .erase_person(id, &kizuna_store::registrations::NoMail)
        .await
        .unwrap();
    assert!(matches!(store.person(id).await, Err(StoreError::NotFound)));
    assert!(
        store
            .api_token_person("appi-token")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_person("appi-session")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.mail_to("appi@example.jp").await.unwrap().is_empty());
    let leftovers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 OR detail LIKE '%appi%'",
    )
    .bind(id)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(leftovers, 0);
    assert_eq!(count(&store, "login_attempts").await, 0);
    assert!(matches!(
        store
            .erase_person(id, &kizuna_store::registrations::NoMail)
            .await,
        Err(StoreError::NotFound)
    ));
    // The address is free again.
    signed_up(&store, "appi@example.jp").await;
}

async fn memberships_are_added_updated_and_removed(store: Store) {
    let (id, _) = signed_up(&store, "member-of@example.jp").await;
    let iwaki = store
        .organisation_id_by_code("072044")
        .await
        .unwrap()
        .unwrap();
    store
        .add_membership(None, id, iwaki, Some("総務課"))
        .await
        .unwrap();
    store
        .add_membership(None, id, iwaki, Some("DX推進課"))
        .await
        .unwrap();
    let list = store.memberships(id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].organisation.as_str(), list[0].department.as_deref()),
        ("いわき市", Some("DX推進課"))
    );
    store.remove_membership(None, id, iwaki).await.unwrap();
    assert!(store.memberships(id).await.unwrap().is_empty());
    assert!(matches!(
        store.remove_membership(None, id, iwaki).await,
        Err(StoreError::NotFound)
    ));
}
