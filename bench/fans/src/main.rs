//! `kizuna-bench-fans DIR`: measures, in release, on SQLite files in DIR:
//! 1. importing a 100,000-row Shift_JIS roster (read + validate + store),
//!    three times on fresh databases;
//! 2. member search over those 100,000 fans (p50/p99 of 600 queries);
//! 3. prepares `DIR/mypage.db` with a fan holding 1,000 entries and prints
//!    the session cookie and path for the HTTP load test (bench/fans.sh).
#![forbid(unsafe_code)]

use kizuna_domain::ledger::{EntryInput, NewEntry};
use kizuna_store::Store;
use kizuna_store::fan_figures::Side;
use kizuna_store::partnerships::NewPartnership;
use std::time::Instant;

const ROWS: usize = 100_000;

fn roster(rows: usize) -> Vec<u8> {
    let mut csv = String::from("メールアドレス,氏名,フリガナ,所属,部署,地域,タグ\r\n");
    let family = [
        ("佐藤", "さとう"),
        ("鈴木", "すずき"),
        ("高橋", "たかはし"),
        ("菅野", "かんの"),
        ("遠藤", "えんどう"),
        ("渡辺", "わたなべ"),
    ];
    let given = [
        ("花子", "はなこ"),
        ("太郎", "たろう"),
        ("結衣", "ゆい"),
        ("蓮", "れん"),
        ("美咲", "みさき"),
    ];
    for i in 0..rows {
        let (f, fk) = family[i % family.len()];
        let (g, gk) = given[(i / 7) % given.len()];
        csv.push_str(&format!(
            "fan{i}@example.jp,{f} {g}{i},{fk} {gk},日本電気株式会社,第{}営業部,いわき,{}\r\n",
            i % 300,
            ["桃", "動画編集", "防災", "日本酒"][i % 4]
        ));
    }
    encoding_rs::SHIFT_JIS.encode(&csv).0.into_owned()
}

async fn fresh(path: &std::path::Path) -> (Store, i64) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = Store::open(&format!("sqlite://{}", path.display()), 8)
        .await
        .expect("open");
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
    (store, partnership)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: kizuna-bench-fans DIR"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = roster(ROWS);
    println!("roster: {ROWS} rows, {} bytes (Shift_JIS)", bytes.len());

    let mut times = Vec::new();
    let mut last = None;
    // IMPORT_RUNS=1 for a quicker look while working on search.
    let runs: usize = std::env::var("IMPORT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for run in 1..=runs {
        let (store, partnership) = fresh(&dir.join("import.db")).await;
        let t = Instant::now();
        let rows = kizuna_server::roster::read(&bytes).expect("valid roster");
        let summary = store
            .import_roster(None, partnership, &rows, false)
            .await
            .unwrap()
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(summary.new_fans, ROWS);
        println!("import run {run}: {secs:.2} s");
        times.push(secs);
        last = Some((store, partnership));
    }
    // IMPORT_RUNS=0 prepares only the my-page database.
    if let Some((store, partnership)) = last {
        times.sort_by(f64::total_cmp);
        println!("IMPORT median {:.2} s (aim < 10 s)", times[times.len() / 2]);
        search(&store, partnership).await;
    }
    my_page(&dir).await;
}

async fn search(store: &Store, partnership: i64) {
    let terms = [
        "さとう",
        "花子",
        "第12営業部",
        "桃",
        "すずき ゆい",
        "日本電気",
        "fan99",
        "",
        "存在しない",
    ];
    let mut samples = Vec::new();
    let mut by_term: Vec<Vec<f64>> = vec![Vec::new(); terms.len()];
    for i in 0..600 {
        let q = terms[i % terms.len()];
        let side = if i % 2 == 0 {
            Side::Company
        } else {
            Side::Government
        };
        let t = Instant::now();
        let rows = store.fan_list(partnership, side, q, 50, 0).await.unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        samples.push(ms);
        by_term[i % terms.len()].push(ms);
        std::hint::black_box(rows);
    }
    for (term, times) in terms.iter().zip(by_term.iter_mut()) {
        times.sort_by(f64::total_cmp);
        println!(
            "  search {term:?}: p50 {:.2} ms, max {:.2} ms",
            percentile(times, 0.5),
            times[times.len() - 1]
        );
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "SEARCH over {ROWS} fans: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (aim p99 < 30 ms)",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

/// The my-page load test: one fan with 1,000 entries, signed in.
async fn my_page(dir: &std::path::Path) {
    let (store, partnership) = fresh(&dir.join("mypage.db")).await;
    let rows = kizuna_server::roster::read(&roster(1_000)).expect("valid roster");
    store
        .import_roster(None, partnership, &rows, false)
        .await
        .unwrap()
        .unwrap();
    let person = store
        .person_by_email("fan0@example.jp")
        .await
        .unwrap()
        .unwrap();
    let fan = store.fan_of(person.id, partnership).await.unwrap().unwrap();
    let munis = store.municipalities().await.unwrap();
    for i in 0..1000 {
        let kind = ["visit", "purchase", "post", "talk"][i % 4];
        let mut e = EntryInput {
            kind: kind.into(),
            occurred_on: format!("2026-{:02}-{:02}", i % 11 + 1, i % 28 + 1),
            ..Default::default()
        };
        match kind {
            "visit" => e.municipality_code = munis[i % munis.len()].code.clone(),
            "purchase" => {
                e.amount_yen = "1500".into();
                e.channel = "cafeteria".into();
            }
            "post" => e.url = format!("https://example.jp/{i}"),
            _ => e.audience = "10".into(),
        }
        store
            .add_entry(fan.id, &NewEntry::parse(&e, "2026-11-30").unwrap())
            .await
            .unwrap();
    }
    let secret = kizuna_store::tokens::new_secret("");
    store
        .create_session(person.id, &kizuna_store::tokens::hash(&secret))
        .await
        .unwrap();
    println!(
        "MYPAGE cookie kizuna_session={secret} path /fans/{}",
        fan.id
    );
}
