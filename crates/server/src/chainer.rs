//! The audit chainer: gives committed events their place on the hash chain, in batches, off the
//! requests that wrote them (`sinergi_services::audit::chain`). Several replicas may run it at
//! once; reading the trail or verifying it chains what is pending first, so neither waits for it.

use std::time::Duration;

use sinergi_services::{Db, audit};
use tokio::sync::watch;

/// How long the chainer rests when nothing is pending.
const REST: Duration = Duration::from_millis(200);

/// Chains pending events until `stop` turns true, and once more then, so a clean shutdown leaves
/// nothing pending.
pub async fn run(db: Db, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = audit::chain(&db).await {
            tracing::warn!(error = %e, "audit chaining failed: the events stay pending and are retried");
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(REST) => {}
            _ = stop.changed() => {}
        }
    }
}
