//! Demo data for `kizuna serve --demo`: the partnership 「福島県 × NECグループ」
//! with group companies, schools and fictional people on both sides, plus a
//! members-only partnership that shows how visibility is scoped.
//! Every person here is invented; companies and municipalities are real bodies.

use crate::organisations::insert_organisation;
use crate::partnerships::{NewPartnership, insert_partnership};
use crate::{Result, Store, StoreError, now};
use kizuna_domain::{
    NewOrganisation, OrgKind, OrganisationProfile, Role, RoleAssignment, Visibility,
};

/// The password every demo account signs in with.
pub const DEMO_PASSWORD: &str = "kizuna-demo-2026";
pub const DEMO_DOMAIN: &str = "demo.kizuna.example";

const FAMILY: [(&str, &str); 12] = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("渡辺", "わたなべ"),
    ("伊藤", "いとう"),
    ("菅野", "かんの"),
    ("遠藤", "えんどう"),
    ("斎藤", "さいとう"),
    ("阿部", "あべ"),
    ("吉田", "よしだ"),
    ("大槻", "おおつき"),
    ("八島", "やしま"),
];
const GIVEN: [(&str, &str, &str); 10] = [
    ("陽翔", "はると", "haruto"),
    ("結衣", "ゆい", "yui"),
    ("蓮", "れん", "ren"),
    ("美咲", "みさき", "misaki"),
    ("大和", "やまと", "yamato"),
    ("葵", "あおい", "aoi"),
    ("湊", "みなと", "minato"),
    ("さくら", "さくら", "sakura"),
    ("悠真", "ゆうま", "yuma"),
    ("千尋", "ちひろ", "chihiro"),
];
const FAMILY_ROMAJI: [&str; 12] = [
    "sato",
    "suzuki",
    "takahashi",
    "watanabe",
    "ito",
    "kanno",
    "endo",
    "saito",
    "abe",
    "yoshida",
    "otsuki",
    "yashima",
];

struct Org<'a> {
    kind: OrgKind,
    name: &'a str,
    kana: &'a str,
    en: &'a str,
    parent: Option<i64>,
    web: Option<&'a str>,
    about: &'a str,
}

async fn org(tx: &mut crate::Tx, o: Org<'_>) -> Result<i64> {
    let new = NewOrganisation {
        kind: o.kind,
        name: o.name.into(),
        name_kana: Some(o.kana.into()),
        name_en: Some(o.en.into()),
        local_gov_code: None,
        parent_id: o.parent,
        profile: OrganisationProfile {
            website: o.web.map(Into::into),
            description: Some(o.about.into()),
        },
    };
    insert_organisation(tx, &new).await
}

impl Store {
    /// Whether the database holds anything beyond the seed (then `--demo` does nothing).
    pub async fn has_partnerships(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM partnerships")
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }

    /// Loads the demo into an empty database. `password_hash` is the hash of
    /// [`DEMO_PASSWORD`], computed by the caller (the store does no hashing).
    pub async fn load_demo(&self, password_hash: &str) -> Result<()> {
        if self.has_partnerships().await? {
            return Err(StoreError::Conflict("database_not_empty"));
        }
        let mut tx = self.begin_write().await?;
        let mut muni_ids = std::collections::HashMap::new();
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT code, organisation_id FROM municipalities ORDER BY code")
                .fetch_all(&mut *tx)
                .await?;
        for (code, id) in &rows {
            muni_ids.insert(code.clone(), *id);
        }
        let pref: i64 = sqlx::query_scalar(
            "SELECT id FROM organisations WHERE kind = 'prefecture' AND local_gov_code = '070009'",
        )
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE organisations SET description = $1 WHERE id = $2")
            .bind("2024年2月、NECグループと包括連携協定を締結。行政DX、県産品振興、風評払拭・風化防止、次世代育成、ワーケーションに共に取り組んでいます。")
            .bind(pref)
            .execute(&mut *tx)
            .await?;

        let nec = org(&mut tx, Org { kind: OrgKind::Company, name: "日本電気株式会社", kana: "にっぽんでんき", en: "NEC Corporation", parent: None, web: Some("https://jpn.nec.com/"), about: "NECグループの中核会社。社員による「ふくしまファン」登録、対話会、プロボノを推進しています。" }).await?;
        let mut companies = vec![nec];
        for (name, kana, en, about) in [
            (
                "NECソリューションイノベータ株式会社",
                "えぬいーしーそりゅーしょんいのべーた",
                "NEC Solution Innovators, Ltd.",
                "システム開発を担うグループ会社。自治体のDX支援に参加しています。",
            ),
            (
                "NECフィールディング株式会社",
                "えぬいーしーふぃーるでぃんぐ",
                "NEC Fielding, Ltd.",
                "保守・サービスのグループ会社。県内各地に拠点があります。",
            ),
            (
                "NECネッツエスアイ株式会社",
                "えぬいーしーねっつえすあい",
                "NEC Networks & System Integration Corporation",
                "ネットワークとワークスタイルのグループ会社。ワーケーションの実証に協力しています。",
            ),
            (
                "NECプラットフォームズ株式会社",
                "えぬいーしーぷらっとふぉーむず",
                "NEC Platforms, Ltd.",
                "ハードウェアのグループ会社。社員食堂での県産品フェアを開いています。",
            ),
        ] {
            companies.push(
                org(
                    &mut tx,
                    Org {
                        kind: OrgKind::Company,
                        name,
                        kana,
                        en,
                        parent: Some(nec),
                        web: None,
                        about,
                    },
                )
                .await?,
            );
        }
        let mut schools = Vec::new();
        for (name, kana, en) in [
            (
                "福島県立あさか桜高等学校",
                "ふくしまけんりつあさかさくらこうとうがっこう",
                "Asaka Sakura High School (fictional)",
            ),
            (
                "福島県立会津つるが高等学校",
                "ふくしまけんりつあいづつるがこうとうがっこう",
                "Aizu Tsuruga High School (fictional)",
            ),
            (
                "福島県立浜通りみらい高等学校",
                "ふくしまけんりつはまどおりみらいこうとうがっこう",
                "Hamadori Mirai High School (fictional)",
            ),
        ] {
            schools.push(org(&mut tx, Org { kind: OrgKind::School, name, kana, en, parent: None, web: None, about: "探究学習でNECグループ社員と地域課題に取り組む高校です（デモ用の架空の学校）。" }).await?);
        }
        let npo = org(
            &mut tx,
            Org {
                kind: OrgKind::Npo,
                name: "NPO法人ふくしま絆ネット",
                kana: "ふくしまきずなねっと",
                en: "Fukushima Kizuna Net (fictional NPO)",
                parent: None,
                web: None,
                about: "県産品の販路と災害時の物資支援をつなぐ中間支援組織（デモ用の架空の団体）。",
            },
        )
        .await?;
        let startup = org(
            &mut tx,
            Org {
                kind: OrgKind::Company,
                name: "株式会社あいづデータラボ",
                kana: "あいづでーたらぼ",
                en: "Aizu Data Lab Inc. (fictional)",
                parent: None,
                web: None,
                about: "会津若松市で実証事業を行う架空の企業（非公開の連携を示すデモ）。",
            },
        )
        .await?;

        let mut parties = vec![pref];
        parties.extend(&companies);
        parties.extend(muni_ids.values());
        parties.extend(&schools);
        parties.push(npo);
        let main = insert_partnership(&mut tx, &NewPartnership {
            name: "福島県 × NECグループ",
            name_en: Some("Fukushima Prefecture × NEC Group"),
            description: Some("福島県とNECグループの包括連携協定（2024年2月締結）。県内59市町村の行政DX、県産品の振興、風評払拭・風化防止、次世代育成、ワーケーションを柱に、社員が「知って・食べて・伝えて」応援します。"),
            visibility: Visibility::Public,
            signed_on: Some("2024-02-07"),
        }, &parties).await?;
        let aizu = muni_ids
            .get("072028")
            .copied()
            .ok_or(StoreError::NotFound)?;
        let private = insert_partnership(
            &mut tx,
            &NewPartnership {
                name: "会津若松市 × あいづデータラボ 実証",
                name_en: Some("Aizuwakamatsu × Aizu Data Lab pilot"),
                description: Some("関係者だけが見られる非公開の連携（デモ）。"),
                visibility: Visibility::Members,
                signed_on: Some("2025-04-01"),
            },
            &[aizu, startup],
        )
        .await?;

        let t = now();
        let mut n = 0usize;
        let person = async |tx: &mut crate::Tx,
                            email: String,
                            name: String,
                            kana: String,
                            org_id: i64,
                            dept: &str,
                            admin: bool|
               -> Result<i64> {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO people (email, email_verified_at, password_hash, display_name, name_kana, locale,
                     is_instance_admin, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'ja', $6, $2, $2) RETURNING id",
            )
            .bind(&email).bind(t).bind(password_hash).bind(&name).bind(&kana).bind(i64::from(admin))
            .fetch_one(&mut **tx).await?;
            sqlx::query("INSERT INTO consents (person_id, purpose, notice_version, granted_at) VALUES ($1, 'privacy_notice', $2, $3)")
                .bind(id).bind(crate::people::DEMO_NOTICE_VERSION).bind(t).execute(&mut **tx).await?;
            sqlx::query("INSERT INTO memberships (person_id, organisation_id, department) VALUES ($1, $2, $3)")
                .bind(id).bind(org_id).bind(dept).execute(&mut **tx).await?;
            Ok(id)
        };
        let role = async |tx: &mut crate::Tx,
                          person_id: i64,
                          p: i64,
                          role: Role,
                          org_id: Option<i64>|
               -> Result<()> {
            let a = RoleAssignment::new(p, role, org_id)?;
            sqlx::query("INSERT INTO role_assignments (person_id, partnership_id, role, organisation_id, organisation_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(person_id).bind(a.partnership_id).bind(a.role.as_str()).bind(a.organisation_id).bind(a.organisation_id.unwrap_or(0)).bind(t)
                .execute(&mut **tx).await?;
            Ok(())
        };

        let admin = person(
            &mut tx,
            format!("admin@{DEMO_DOMAIN}"),
            "運用 管理者".into(),
            "うんよう かんりしゃ".into(),
            pref,
            "システム運用",
            true,
        )
        .await?;
        role(&mut tx, admin, main, Role::Administrator, None).await?;
        let pc = person(
            &mut tx,
            format!("pref.coordinator@{DEMO_DOMAIN}"),
            "菅野 由美".into(),
            "かんの ゆみ".into(),
            pref,
            "企画調整部 連携推進課",
            false,
        )
        .await?;
        role(&mut tx, pc, main, Role::Coordinator, None).await?;
        let cc = person(
            &mut tx,
            format!("csr.coordinator@{DEMO_DOMAIN}"),
            "高橋 健一".into(),
            "たかはし けんいち".into(),
            nec,
            "サステナビリティ推進部",
            false,
        )
        .await?;
        role(&mut tx, cc, main, Role::Coordinator, None).await?;
        role(&mut tx, cc, main, Role::Member, None).await?;

        for (i, (code, slug, dept)) in [
            ("072010", "fukushima", "政策調整部 デジタル推進課"),
            ("072028", "aizuwakamatsu", "企画政策部 スマートシティ推進室"),
            ("072044", "iwaki", "総合政策部 DX推進課"),
            ("072125", "minamisoma", "総務部 情報政策課"),
            ("075213", "miharu", "企画政策課"),
        ]
        .into_iter()
        .enumerate()
        {
            let muni = muni_ids.get(code).copied().ok_or(StoreError::NotFound)?;
            let (f, fk) = FAMILY[(i + 3) % FAMILY.len()];
            let (g, gk, _) = GIVEN[(i + 5) % GIVEN.len()];
            let id = person(
                &mut tx,
                format!("staff.{slug}@{DEMO_DOMAIN}"),
                format!("{f} {g}"),
                format!("{fk} {gk}"),
                muni,
                dept,
                false,
            )
            .await?;
            role(&mut tx, id, main, Role::MunicipalStaff, Some(muni)).await?;
            if code == "072028" {
                role(&mut tx, id, private, Role::MunicipalStaff, Some(muni)).await?;
            }
        }
        let teacher = person(
            &mut tx,
            format!("teacher@{DEMO_DOMAIN}"),
            "遠藤 千尋".into(),
            "えんどう ちひろ".into(),
            schools[0],
            "探究学習担当",
            false,
        )
        .await?;
        role(
            &mut tx,
            teacher,
            main,
            Role::MunicipalStaff,
            Some(schools[0]),
        )
        .await?;
        let lab = person(
            &mut tx,
            format!("lab@{DEMO_DOMAIN}"),
            "八島 蓮".into(),
            "やしま れん".into(),
            startup,
            "実証推進",
            false,
        )
        .await?;
        role(&mut tx, lab, private, Role::Coordinator, None).await?;

        let departments = [
            "デジタル推進部",
            "営業本部",
            "人事部",
            "研究所",
            "カスタマーサービス",
            "経理部",
        ];
        let mut members = Vec::new();
        for i in 0..36 {
            let (f, fk) = FAMILY[i % FAMILY.len()];
            let (g, gk, gr) = GIVEN[(i * 7 + 1) % GIVEN.len()];
            let company = companies[i % companies.len()];
            let email = if i == 0 {
                format!("member@{DEMO_DOMAIN}")
            } else {
                format!(
                    "{gr}.{}{i}@{DEMO_DOMAIN}",
                    FAMILY_ROMAJI[i % FAMILY_ROMAJI.len()]
                )
            };
            let id = person(
                &mut tx,
                email,
                format!("{f} {g}"),
                format!("{fk} {gk}"),
                company,
                departments[i % departments.len()],
                false,
            )
            .await?;
            role(&mut tx, id, main, Role::Member, None).await?;
            members.push((
                id,
                company,
                format!("{f} {g}"),
                format!("{fk} {gk}"),
                g,
                departments[i % departments.len()],
            ));
            n += 1;
        }
        crate::audit::record(
            &mut tx,
            None,
            "demo.load",
            "partnership",
            Some(main),
            Some(&format!("{n} members")),
        )
        .await?;
        tx.commit().await?;
        self.load_demo_fans(main, &members).await
    }

    /// The second half of the demo: most members join the PR corps and
    /// record some months of support, so no page is empty.
    async fn load_demo_fans(
        &self,
        partnership: i64,
        members: &[(i64, i64, String, String, &str, &str)],
    ) -> Result<()> {
        use kizuna_domain::fan::{FanConsents, FanInput, FanProfile};
        use kizuna_domain::ledger::{EntryInput, NewChallenge, NewEntry};
        let munis = self.municipalities().await?;
        let today = time::OffsetDateTime::now_utc() + time::Duration::hours(9);
        let day = |ago: i64| {
            let d = today - time::Duration::days(ago);
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        };
        let skills = [
            "it",
            "design",
            "pr_marketing",
            "data",
            "education",
            "translation",
        ];
        for (i, (person, company, name, kana, nickname, dept)) in
            members.iter().enumerate().take(30)
        {
            let input = FanInput {
                display_name: nickname.to_string(),
                full_name: name.clone(),
                full_name_kana: kana.clone(),
                organisation_id: Some(*company),
                department: dept.to_string(),
                home_region: ["県北", "県中", "いわき", "会津", "県外"][i % 5].to_string(),
                interests: vec![
                    ["dx", "local_products", "rumour_memory", "next_generation"][i % 4].to_string(),
                ],
                skills: vec![(
                    skills[i % skills.len()].to_string(),
                    ((i % 3) + 1).to_string(),
                )],
                tags: ["桃, 日本酒", "動画編集", "地域おこし, 防災", ""][i % 4].to_string(),
                languages: vec!["ja".into()],
                availability_hours: ((i % 4) * 4).to_string(),
                consents: FanConsents {
                    named_to_government: i % 3 == 0,
                    on_leaderboard: i % 2 == 0,
                    contact: true,
                },
            };
            let profile = FanProfile::parse(&input)?;
            let fan = self.join_pr_corps(*person, partnership, &profile).await?;
            for k in 0..(i % 7 + 1) {
                let m = &munis[(i * 7 + k * 11) % munis.len()];
                let ago = ((i * 13 + k * 17) % 150) as i64;
                let kind = [
                    "visit",
                    "purchase",
                    "post",
                    "visit",
                    "talk",
                    "attendance",
                    "visit",
                ][k % 7];
                let mut e = EntryInput {
                    kind: kind.into(),
                    occurred_on: day(ago),
                    ..Default::default()
                };
                match kind {
                    "visit" => e.municipality_code = m.code.clone(),
                    "purchase" => {
                        e.amount_yen = (1000 + (i * 370) % 4000).to_string();
                        e.channel = ["cafeteria", "shop", "online", "event"][i % 4].into();
                        e.products = ["桃", "日本酒", "あんぽ柿", "喜多方ラーメン"][i % 4].into();
                        e.municipality_code = m.code.clone();
                    }
                    "post" => {
                        e.url = format!("https://example.jp/posts/{i}-{k}");
                        e.platform = "intranet".into();
                    }
                    "talk" => e.audience = (5 + i % 20).to_string(),
                    _ => e.note = "ふくしま対話会".into(),
                }
                self.add_entry(fan, &NewEntry::parse(&e, &day(0))?).await?;
            }
        }
        let next_311 = if (u8::from(today.month()), today.day()) <= (3, 11) {
            today.year()
        } else {
            today.year() + 1
        };
        let challenge = NewChallenge::parse(
            "3.11までに県内訪問500回",
            "visit",
            "500",
            &day(120),
            &format!("{next_311}-03-11"),
        )?;
        self.create_challenge(
            members.first().map(|m| m.0).unwrap_or(0),
            partnership,
            &challenge,
        )
        .await?;
        self.load_demo_events(partnership, members).await
    }

    /// Events of the demo: upcoming ones of every kind (one full, with a
    /// waitlist; one needing approval) and a past one with attendance and
    /// feedback. Registrations send no mail.
    async fn load_demo_events(
        &self,
        partnership: i64,
        members: &[(i64, i64, String, String, &str, &str)],
    ) -> Result<()> {
        use crate::registrations::NoMail;
        use kizuna_domain::event::{EventInput, NewEvent, jst_input_value};
        let organiser = members.first().map(|m| m.0).unwrap_or(0);
        let nec = members.first().map(|m| m.1).unwrap_or(0);
        let pref: i64 = sqlx::query_scalar(
            "SELECT id FROM organisations WHERE kind = 'prefecture' AND local_gov_code = '070009'",
        )
        .fetch_one(self.pool())
        .await?;
        let muni = |code: &str| {
            let code = code.to_string();
            async move {
                self.municipality_by_code(&code)
                    .await?
                    .map(|m| m.organisation_id)
                    .ok_or(StoreError::NotFound)
            }
        };
        // Today 00:00 in Japan, then whole hours from there.
        let now = now();
        let midnight = now - (now + kizuna_domain::event::JST_OFFSET).rem_euclid(86_400);
        let at = |days: i64, hour: i64| jst_input_value(midnight + days * 86_400 + hour * 3600);
        struct Demo<'a> {
            kind: &'a str,
            title: &'a str,
            title_en: &'a str,
            organiser: i64,
            code: &'a str,
            venue: &'a str,
            online: &'a str,
            day: i64,
            from: i64,
            to: i64,
            capacity: &'a str,
            approval: bool,
            about: &'a str,
            registrants: usize,
        }
        let events = [
            Demo {
                kind: "dialogue",
                title: "県職員との対話会（行政DX・窓口）",
                title_en: "Dialogue with prefecture staff: digital counters",
                organiser: pref,
                code: "072010",
                venue: "福島県庁 本庁舎2階 第一特別委員会室",
                online: "https://meet.example.jp/kizuna-dx",
                day: 7,
                from: 14,
                to: 16,
                capacity: "30",
                approval: false,
                registrants: 12,
                about: "窓口の待ち時間と申請書類の負担について、県のデジタル推進担当と社員が話し合います。オンライン参加もできます。",
            },
            Demo {
                kind: "tour",
                title: "浜通り 復興の現場を訪ねる視察ツアー",
                title_en: "Tour of the Hamadori reconstruction",
                organiser: pref,
                code: "072044",
                venue: "いわき駅 南口集合",
                online: "",
                day: 14,
                from: 9,
                to: 17,
                capacity: "5",
                approval: false,
                registrants: 8,
                about: "いわき市から双葉郡を巡り、復興の現場と人に出会う日帰りツアーです。バスの座席数のため定員は5名です。",
            },
            Demo {
                kind: "fair",
                title: "社員食堂 ふくしま県産品フェア",
                title_en: "Fukushima products fair in the staff canteen",
                organiser: nec,
                code: "",
                venue: "NEC本社ビル 社員食堂",
                online: "",
                day: 3,
                from: 11,
                to: 14,
                capacity: "",
                approval: false,
                registrants: 6,
                about: "桃のスイーツ、日本酒、喜多方ラーメンなどを販売します。購入は応援の記録にも残せます。",
            },
            Demo {
                kind: "volunteer",
                title: "三春町 滝桜周辺の清掃ボランティア",
                title_en: "Clean-up around the Takizakura cherry tree",
                organiser: muni("075213").await?,
                code: "075213",
                venue: "三春滝桜 駐車場",
                online: "",
                day: 21,
                from: 8,
                to: 12,
                capacity: "20",
                approval: false,
                registrants: 4,
                about: "春の観光シーズンを前に、地域の方と一緒に清掃します。軍手と飲み物はご用意します。",
            },
            Demo {
                kind: "inquiry",
                title: "高校生の探究学習 中間発表会へのアドバイザー参加",
                title_en: "Advisers for high-school inquiry learning",
                organiser: pref,
                code: "072028",
                venue: "会津若松市 生涯学習総合センター",
                online: "https://meet.example.jp/tankyu",
                day: 30,
                from: 13,
                to: 16,
                capacity: "10",
                approval: true,
                registrants: 3,
                about: "高校生の探究テーマに、社員が専門分野の視点から助言します。参加は主催者の承認後に確定します。",
            },
        ];
        for d in &events {
            let input = EventInput {
                kind: d.kind.into(),
                title: d.title.into(),
                title_en: d.title_en.into(),
                description: d.about.into(),
                organiser_id: d.organiser.to_string(),
                municipality_code: d.code.into(),
                venue: d.venue.into(),
                online_url: d.online.into(),
                starts_at: at(d.day, d.from),
                ends_at: at(d.day, d.to),
                capacity: d.capacity.into(),
                needs_approval: d.approval,
                visibility: "partnership".into(),
                ..Default::default()
            };
            let id = self
                .create_event(organiser, partnership, &NewEvent::parse(&input)?)
                .await?;
            for m in members.iter().skip(1).take(d.registrants) {
                let viewer = self.signed_in(m.0).await?.viewer;
                self.register(&viewer, id, 0, &NoMail).await?;
            }
        }
        // A dialogue session last month: registered, checked in, rated.
        let past = EventInput {
            kind: "dialogue".into(),
            title: "ふくしま対話会（県産品の販路）".into(),
            title_en: "Dialogue: markets for Fukushima products".into(),
            description: "県産品の販路拡大について、県の担当者と社員が意見を交わしました。".into(),
            organiser_id: pref.to_string(),
            municipality_code: "072010".into(),
            venue: "福島県庁 西庁舎".into(),
            starts_at: at(1, 14),
            ends_at: at(1, 16),
            capacity: "20".into(),
            visibility: "partnership".into(),
            ..Default::default()
        };
        let id = self
            .create_event(organiser, partnership, &NewEvent::parse(&past)?)
            .await?;
        let mut codes = Vec::new();
        for m in members.iter().skip(1).take(10) {
            let viewer = self.signed_in(m.0).await?.viewer;
            codes.push(self.register(&viewer, id, 0, &NoMail).await?.registration);
        }
        for r in codes.iter().take(8) {
            self.check_in(organiser, id, &r.code).await?;
        }
        let shift = 31 * 86_400;
        sqlx::query(
            "UPDATE events SET starts_at = starts_at - $1, ends_at = ends_at - $1 WHERE id = $2",
        )
        .bind(shift)
        .bind(id)
        .execute(self.pool())
        .await?;
        // Their attendance entries move with the event.
        let (y, mo, d, ..) = kizuna_domain::event::jst_parts(midnight + 86_400 - shift);
        sqlx::query(
            "UPDATE ledger_entries SET occurred_on = $1 WHERE kind = 'attendance' AND note = $2",
        )
        .bind(format!("{y:04}-{mo:02}-{d:02}"))
        .bind(&past.title)
        .execute(self.pool())
        .await?;
        for (i, r) in codes.iter().take(5).enumerate() {
            let comment = [
                "県の方の本音が聞けてよかった",
                "次は現地で話したい",
                "",
                "販路の話をもっと聞きたい",
                "",
            ][i];
            self.give_feedback(r.person_id, r.id, [5, 4, 5, 3, 4][i], Some(comment))
                .await?;
        }
        self.load_demo_board(partnership).await
    }

    /// The challenge board of the demo: challenges of five municipalities
    /// (two of them the same problem told twice, so the triage shows a
    /// group), "we have this too", a review with its reason, a question and
    /// its answer, and an on-site report that arrived through Open311.
    async fn load_demo_board(&self, partnership: i64) -> Result<()> {
        use kizuna_domain::challenge::{ChallengeInput, NewChallenge, NewEndorsement, Status};
        let staff = |slug: &str| {
            let email = format!("staff.{slug}@{DEMO_DOMAIN}");
            async move {
                let p = self
                    .person_by_email(&email)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let viewer = self.signed_in(p.id).await?.viewer;
                Ok::<_, StoreError>((p.id, viewer))
            }
        };
        let org = |code: &str| {
            let code = code.to_string();
            async move {
                self.municipality_by_code(&code)
                    .await?
                    .map(|m| m.organisation_id)
                    .ok_or(StoreError::NotFound)
            }
        };
        let challenges: [(&str, &str, &str, &str, &str, i64, &str); 8] = [
            (
                "fukushima",
                "072010",
                "議会の会議録作成に膨大な時間がかかる",
                "本会議や委員会の録音を職員が聞き取って会議録を作成している。一回の会議で数十時間の文字起こし作業が発生し、公開までに二か月以上かかっている。",
                "documents",
                60,
                "録音データを再生しながら議会事務局の職員2名が手で入力し、校正を3回行っている。",
            ),
            (
                "aizuwakamatsu",
                "072028",
                "窓口で住民が同じ内容を何枚も手書きしている",
                "転入の手続きで住民が住所や氏名を何枚もの申請書に繰り返し手書きしており、窓口での記入に時間がかかる。職員も記入漏れの確認に追われている。書かない窓口を実現したい。",
                "counter",
                80,
                "転入届、国保、児童手当と申請書ごとに記入してもらい、職員が基幹システムへ転記している。",
            ),
            (
                "iwaki",
                "072044",
                "罹災証明書の発行に必要な被害調査の集計が紙",
                "大雨の後、罹災証明書の申請が集中する。被害認定調査の結果を紙の調査票から表計算ソフトに転記して集計しており、証明書の発行まで数週間かかる。",
                "disaster",
                120,
                "調査員が紙の調査票に記入し、本庁で表計算ソフトに入力している。",
            ),
            (
                "minamisoma",
                "072125",
                "避難所の受付で避難者名簿を紙に書いている",
                "災害時に避難所で避難者に紙の名簿へ氏名や住所を記入してもらっている。人数の集計や安否確認の問い合わせに答えるのに時間がかかり、本部への報告も遅れる。",
                "disaster",
                40,
                "避難所ごとに紙の受付簿を作り、人数を電話で災害対策本部に報告している。",
            ),
            (
                "miharu",
                "075213",
                "ごみの分別方法に関する電話問い合わせが多い",
                "環境課にはごみの出し方や分別の問い合わせ電話が毎日数十件あり、担当職員の業務を圧迫している。よくある質問に自動で答えられる仕組みがほしい。",
                "counter",
                30,
                "電話を受けた職員がごみ分別の冊子を見ながら回答している。",
            ),
            (
                "fukushima",
                "072010",
                "庁内の文書をメール添付でやり取りし最新版が分からない",
                "課をまたぐ資料の共有を電子メールの添付ファイルで行っているため、どれが最新版か分からなくなる。ファイルサーバもフォルダが乱立して探せない。",
                "internal_sharing",
                25,
                "資料を添付したメールを関係課に送り、修正版もメールで送り直している。",
            ),
            (
                "iwaki",
                "072044",
                "引っ越しの手続きで同じことを何度も書かせてしまう",
                "住民異動の届出の際、転入届、国保、児童手当と申請書ごとに氏名と住所を書いてもらっている。窓口が混み、記入の案内に職員が付きっきりになる。書かずに済む窓口にしたい。",
                "counter",
                50,
                "繁忙期は記入台に職員を一人置いて案内している。",
            ),
            (
                "aizuwakamatsu",
                "072028",
                "観光パンフレットを多言語に翻訳したい",
                "外国人観光客が増えているが、観光パンフレットやウェブサイトは日本語のみ。英語や中国語、韓国語への翻訳を外注する予算がなく、対応できていない。",
                "tourism",
                15,
                "英語版のみ数年前に外注したが、更新できていない。",
            ),
        ];
        let mut ids = Vec::new();
        for (slug, code, title, description, category, hours, process) in challenges {
            let (person, _) = staff(slug).await?;
            let c = NewChallenge::parse(&ChallengeInput {
                title: title.into(),
                description: description.into(),
                category: category.into(),
                current_process: process.into(),
                burden_hours: hours.to_string(),
                lgwan: if category == "documents" {
                    "1".into()
                } else {
                    String::new()
                },
                visibility: "public".into(),
                ..Default::default()
            })?;
            ids.push(
                self.post_challenge(person, partnership, org(code).await?, &c, true)
                    .await?,
            );
        }
        let (_, aizu) = staff("aizuwakamatsu").await?;
        let (_, minamisoma) = staff("minamisoma").await?;
        let (_, miharu) = staff("miharu").await?;
        let (_, fukushima) = staff("fukushima").await?;
        self.endorse_challenge(
            &aizu,
            ids[0],
            org("072028").await?,
            &NewEndorsement::parse("40", "委員会の会議録も同じ状況です")?,
        )
        .await?;
        self.endorse_challenge(
            &minamisoma,
            ids[2],
            org("072125").await?,
            &NewEndorsement::parse("90", "台風のたびに同じことが起きています")?,
        )
        .await?;
        self.endorse_challenge(
            &miharu,
            ids[1],
            org("075213").await?,
            &NewEndorsement::parse("20", "")?,
        )
        .await?;
        let coordinator = self
            .person_by_email(&format!("pref.coordinator@{DEMO_DOMAIN}"))
            .await?
            .ok_or(StoreError::NotFound)?;
        let coordinator = self.signed_in(coordinator.id).await?.viewer;
        self.move_challenge(
            &coordinator,
            ids[2],
            Status::UnderReview,
            "被害認定調査のアプリ化をプロボノで検討します",
        )
        .await?;
        self.add_comment(
            &coordinator,
            ids[2],
            "調査票の様式は内閣府の標準様式ですか。独自の項目はありますか。",
        )
        .await?;
        self.add_comment(
            &staff("iwaki").await?.1,
            ids[2],
            "標準様式に、市独自の写真欄を加えています。",
        )
        .await?;
        self.follow_organisation(fukushima.person_id.unwrap_or(0), org("072028").await?, true)
            .await?;
        // An on-site report from the city's road-reporting app.
        let code = kizuna_domain::LocalGovCode::parse("072010")?;
        let (_, key) = self
            .create_open311_key(None, partnership, &code, "道路通報アプリ（デモ）")
            .await?;
        let info = self.open311_key(&key).await?.ok_or(StoreError::NotFound)?;
        let report =
            kizuna_domain::open311::NewRequest::parse(&kizuna_domain::open311::RequestInput {
                service_code: "counter_issue".into(),
                address_string: "福島市五老内町3-1".into(),
                description: "市民課の窓口で転入届の記入に時間がかかり、待合が混雑しています。"
                    .into(),
                ..Default::default()
            })?;
        self.create_site_report(&info, &report).await?;
        Ok(())
    }
}
