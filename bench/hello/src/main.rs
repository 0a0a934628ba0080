//! A plain axum hello-world: the yardstick Kizuna's throughput is compared
//! with in docs/benchmarks.md (same machine, same run, same load tool).
#![forbid(unsafe_code)]

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
