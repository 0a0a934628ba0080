//! Marks test halves as ignored — visibly, with the reason — when what they
//! need is missing: a PostgreSQL test server (KIZUNA_TEST_POSTGRES_URL) or
//! Chromium's WebDriver. CI installs both, so there nothing is ignored.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(kizuna_pg)");
    println!("cargo::rustc-check-cfg=cfg(kizuna_browser)");
    println!("cargo::rerun-if-env-changed=KIZUNA_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=/usr/bin/chromedriver");
    if std::env::var("KIZUNA_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=kizuna_pg");
    }
    if std::path::Path::new("/usr/bin/chromedriver").exists() {
        println!("cargo::rustc-cfg=kizuna_browser");
    }
}
