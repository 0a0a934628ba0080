//! `kizuna-bench-board prepare DIR [N]` fills `DIR/board.db` (SQLite) with
//! N (default 100,000) public challenges spread over the 59 municipalities
//! of one partnership, and writes `DIR/similar.txt`: one URL path per line
//! asking `/api/v1/challenges/similar` about a different draft (for the
//! suggestion load test, see bench/board.sh and bench/paths.lua).
#![forbid(unsafe_code)]

use kizuna_bench_board::{Rng, drafts, synthetic};
use kizuna_store::Store;
use kizuna_store::partnerships::NewPartnership;
use std::io::Write;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (cmd, dir) = match (args.next(), args.next()) {
        (Some(c), Some(d)) => (c, std::path::PathBuf::from(d)),
        _ => panic!("usage: kizuna-bench-board prepare DIR [N]"),
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    match cmd.as_str() {
        "prepare" => prepare(&dir, n).await,
        "time" => time_board(&dir).await,
        _ => panic!("usage: kizuna-bench-board prepare DIR [N] | time DIR"),
    }
}

async fn prepare(dir: &std::path::Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", dir.join("board.db").display()));
    }
    let url = format!("sqlite://{}", dir.join("board.db").display());
    let store = Store::open(&url, 4).await.expect("open");
    let munis = store.municipalities().await.unwrap();
    let orgs: Vec<i64> = munis.iter().map(|m| m.organisation_id).collect();
    let p = NewPartnership {
        name: "福島県 × NECグループ",
        name_en: None,
        description: None,
        visibility: kizuna_domain::Visibility::Public,
        signed_on: None,
    };
    let partnership = store.create_partnership(None, &p, &orgs).await.unwrap();
    let names: Vec<&str> = munis.iter().map(|m| m.name.as_str()).collect();
    let started = std::time::Instant::now();
    let challenges = synthetic(n, &names, 42);
    let now = kizuna_store::now();
    let mut rng = Rng::new(9);
    let statuses = [
        "open",
        "open",
        "open",
        "under_review",
        "matched",
        "in_progress",
        "solved",
        "closed",
    ];
    // One transaction of plain inserts: the bench measures reading, not posting.
    let mut tx = store.pool().begin().await.unwrap();
    for (i, c) in challenges.iter().enumerate() {
        sqlx::query(
            "INSERT INTO challenges (partnership_id, organisation_id, title, description, category, burden_hours,
                visibility, status, total_burden, rev, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'public', $7, $6, 1, $8, $8)",
        )
        .bind(partnership)
        .bind(orgs[i % orgs.len()])
        .bind(&c.title)
        .bind(&c.description)
        .bind(c.category)
        .bind(c.burden_hours)
        .bind(statuses[rng.below(statuses.len())])
        .bind(now - (n - i) as i64 * 60)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE board_rev SET rev = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
    eprintln!(
        "{n} challenges stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut f = std::fs::File::create(dir.join("similar.txt")).unwrap();
    for d in drafts() {
        let (title, description) = d.split_once('\n').unwrap_or((&d, ""));
        writeln!(
            f,
            "/api/v1/challenges/similar?title={}&description={}",
            encode(title),
            encode(description)
        )
        .unwrap();
    }
    println!("PARTNERSHIP {partnership}");
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `time DIR`: the board query alone, in process (median of 2,000), to
/// tell the database's share of a page from the rest.
async fn time_board(dir: &std::path::Path) {
    let url = format!("sqlite://{}", dir.join("board.db").display());
    let store = Store::open(&url, 4).await.expect("open");
    let f = kizuna_store::board::BoardFilter {
        limit: 31,
        ..Default::default()
    };
    let v = kizuna_domain::Viewer::visitor();
    let mut times = Vec::new();
    for _ in 0..2000 {
        let t = std::time::Instant::now();
        let rows = store.board(&v, &f).await.unwrap();
        times.push(t.elapsed().as_micros());
        assert_eq!(rows.len(), 31);
    }
    times.sort_unstable();
    println!(
        "board query: median {} µs, p99 {} µs",
        times[1000], times[1980]
    );
}
