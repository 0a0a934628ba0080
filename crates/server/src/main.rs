//! The `kizuna` command.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    kizuna_server::cli::main()
}
