//! `sinergi`: the API server and its operator commands.

use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: allocation was an eighth of a point lookup's profile,
/// and with mimalloc the read-path benchmark's shapes run 15–45% faster (README, "The read
/// path"). It keeps more resident (105 MB after that benchmark, 77 MB with glibc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    sinergi_server::allocator::purge_at_once();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts")
        .block_on(sinergi_server::cli::main())
}
