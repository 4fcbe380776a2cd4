//! Background jobs. Each claims its work in the database (a conditional write or a row lock),
//! never in memory alone, so several app servers on one PostgreSQL can run them side by side.
//!
//! A stopping server lets the passes under way finish: each pass holds a [`pass`] guard, and
//! [`stop`] (called once the server stops accepting) refuses new passes and waits for those
//! guards. Every pass is made of transactions, so one cut short by the grace period running out
//! loses nothing either: it is rolled back, and the next pass (on any server) does it again.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, LazyLock,
};

use tokio::sync::{OwnedRwLockReadGuard, RwLock};

pub mod orders;
pub mod refunds;
pub mod retention;
pub mod service;

/// Read guards are the passes under way; [`stop`] takes the write side.
static PASSES: LazyLock<Arc<RwLock<()>>> = LazyLock::new(Arc::default);
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Held for one pass of a job, so a stopping server waits for it.
pub type Pass = OwnedRwLockReadGuard<()>;

/// A pass may start: the guard to hold while it runs; `None` once the server is stopping (the
/// job's loop then ends).
pub fn pass() -> Option<Pass> {
    if STOPPING.load(Ordering::SeqCst) {
        return None;
    }
    // Fails only while `stop` waits for the write side (it is then stopping anyway).
    PASSES.clone().try_read_owned().ok()
}

/// Refuses new passes and waits until those under way are done (the caller bounds the wait).
pub async fn stop() {
    STOPPING.store(true, Ordering::SeqCst);
    let _all_done = PASSES.write().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stop_waits_for_the_pass_under_way_and_refuses_new_ones() {
        let under_way = pass().expect("a pass may start");
        let stopping = tokio::spawn(stop());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!stopping.is_finished(), "the stop waits for the pass");
        assert!(pass().is_none(), "no new pass while stopping");
        drop(under_way);
        tokio::time::timeout(std::time::Duration::from_secs(1), stopping).await.expect("stopped").unwrap();
        assert!(pass().is_none());
    }
}
