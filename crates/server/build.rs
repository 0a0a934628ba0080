//! Marks the PostgreSQL half of the tests as ignored — visibly, with the
//! reason — when no test server is configured (KIZUNA_TEST_POSTGRES_URL).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(kizuna_pg)");
    println!("cargo::rerun-if-env-changed=KIZUNA_TEST_POSTGRES_URL");
    if std::env::var("KIZUNA_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=kizuna_pg");
    }
}
