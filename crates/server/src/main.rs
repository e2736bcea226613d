//! `sinergi`: the API server and its operator commands.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    sinergi_server::cli::main().await
}
