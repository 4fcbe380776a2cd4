//! The watchdog: a plain thread, outside the async runtime, that notices when the server has
//! stopped making progress and ends the process, so a supervisor (systemd's `Restart=always`,
//! see the README) starts a fresh one instead of the server hanging for good.
//!
//! Two signs of a stuck server, each for longer than `WATCHDOG_SECONDS`:
//! - the runtime's heartbeat (a task that ticks every second) has stopped: every worker thread
//!   is blocked, as in the server-rendering deadlock of issue 11;
//! - requests are in flight but none has started or finished: the runtime runs, yet every
//!   request waits on something that never comes.
//!
//! The thread logs what it saw (the oldest requests in flight and how long the heartbeat has
//! been silent) and exits with status 70 (EX_SOFTWARE).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{extract::Request, middleware::Next, response::Response};

/// The status the process exits with when the watchdog fires.
pub const EXIT_STUCK: i32 = 70;

/// What the server reports to the watchdog; cheap to clone into the request layer.
#[derive(Clone)]
pub struct Watchdog {
    inner: Arc<Inner>,
}

struct Inner {
    /// How long a silence is allowed before the watchdog fires.
    allowed: Duration,
    epoch: Instant,
    /// Milliseconds since `epoch` of the runtime's last heartbeat.
    heartbeat: AtomicU64,
    /// Milliseconds since `epoch` of the last request that started or finished.
    progress: AtomicU64,
    next_id: AtomicU64,
    /// The requests in flight: id → (method and path, when it started).
    in_flight: Mutex<HashMap<u64, (String, Instant)>>,
}

/// Why the watchdog fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Stuck {
    pub heartbeat_silent: Duration,
    pub no_progress: Duration,
    /// The oldest requests in flight, oldest first, with their age.
    pub oldest: Vec<(String, Duration)>,
    pub in_flight: usize,
}

impl std::fmt::Display for Stuck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "runtime heartbeat silent for {:?}, no request started or finished for {:?}, {} in flight",
            self.heartbeat_silent, self.no_progress, self.in_flight
        )?;
        for (what, age) in &self.oldest {
            write!(f, "; {what} for {age:?}")?;
        }
        Ok(())
    }
}

impl Watchdog {
    pub fn new(allowed: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                allowed,
                epoch: Instant::now(),
                heartbeat: AtomicU64::new(0),
                progress: AtomicU64::new(0),
                next_id: AtomicU64::new(0),
                in_flight: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn now_ms(&self) -> u64 {
        self.inner.epoch.elapsed().as_millis() as u64
    }

    /// How often the heartbeat ticks and the watchdog looks: well inside the allowed silence.
    fn period(&self) -> Duration {
        (self.inner.allowed / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }

    /// Ticks the heartbeat, on the runtime it is spawned on.
    pub async fn heartbeat(self) {
        let mut every = tokio::time::interval(self.period());
        loop {
            every.tick().await;
            self.inner.heartbeat.store(self.now_ms(), Ordering::Relaxed);
        }
    }

    /// The request layer: records each request from start to answer.
    pub async fn track(self, req: Request, next: Next) -> Response {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let what = format!("{} {}", req.method(), req.uri().path());
        self.progress();
        if let Ok(mut all) = self.inner.in_flight.lock() {
            all.insert(id, (what, Instant::now()));
        }
        // Removed on drop, so a request whose future is cancelled is not left "in flight".
        let _done = Finished { dog: &self, id };
        next.run(req).await
    }

    fn progress(&self) {
        self.inner.progress.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Whether the server is stuck now.
    pub fn verdict(&self) -> Option<Stuck> {
        let allowed = self.inner.allowed;
        let now = self.now_ms();
        let since = |at: &AtomicU64| Duration::from_millis(now.saturating_sub(at.load(Ordering::Relaxed)));
        let heartbeat_silent = since(&self.inner.heartbeat);
        let no_progress = since(&self.inner.progress);
        // `try_lock`: the watchdog must never block on the thing it watches.
        let (in_flight, oldest) = match self.inner.in_flight.try_lock() {
            Ok(all) => {
                let mut list: Vec<(String, Duration)> =
                    all.values().map(|(what, at)| (what.clone(), at.elapsed())).collect();
                list.sort_by(|a, b| b.1.cmp(&a.1));
                list.truncate(5);
                (all.len(), list)
            }
            Err(_) => (0, Vec::new()),
        };
        let runtime_blocked = heartbeat_silent > allowed;
        let requests_stalled = in_flight > 0 && no_progress > allowed;
        (runtime_blocked || requests_stalled).then_some(Stuck { heartbeat_silent, no_progress, oldest, in_flight })
    }

    /// Starts the watchdog thread; `on_stuck` runs once when it fires (the server passes
    /// [`exit_stuck`]).
    pub fn watch(&self, on_stuck: impl FnOnce(Stuck) + Send + 'static) {
        let dog = self.clone();
        // The heartbeat is measured from now, not from the process start.
        dog.inner.heartbeat.store(dog.now_ms(), Ordering::Relaxed);
        dog.progress();
        let every = self.period();
        std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                if let Some(stuck) = dog.verdict() {
                    on_stuck(stuck);
                    return;
                }
            })
            .expect("the watchdog thread starts");
    }
}

/// What the server does when the watchdog fires: say why, then exit for the supervisor.
pub fn exit_stuck(stuck: Stuck) {
    tracing::error!(%stuck, "the server is stuck; exiting so that the supervisor restarts it");
    eprintln!("backoffice: watchdog: the server is stuck ({stuck}); exiting with status {EXIT_STUCK}");
    std::process::exit(EXIT_STUCK);
}

struct Finished<'a> {
    dog: &'a Watchdog,
    id: u64,
}

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        if let Ok(mut all) = self.dog.inner.in_flight.lock() {
            all.remove(&self.id);
        }
        self.dog.progress();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_healthy_server_is_not_stuck() {
        let dog = Watchdog::new(Duration::from_secs(5));
        dog.inner.heartbeat.store(dog.now_ms(), Ordering::Relaxed);
        assert_eq!(dog.verdict(), None);
    }

    #[test]
    fn requests_in_flight_without_progress_are_stuck_and_named() {
        let dog = Watchdog::new(Duration::from_millis(10));
        dog.inner.in_flight.lock().unwrap().insert(1, ("GET /corp/devices".into(), Instant::now()));
        std::thread::sleep(Duration::from_millis(30));
        dog.inner.heartbeat.store(dog.now_ms(), Ordering::Relaxed);
        let stuck = dog.verdict().expect("stuck");
        assert_eq!(stuck.in_flight, 1);
        assert_eq!(stuck.oldest[0].0, "GET /corp/devices");
        // Idle (nothing in flight) with a live heartbeat is fine, however long.
        dog.inner.in_flight.lock().unwrap().clear();
        assert_eq!(dog.verdict(), None);
    }

    /// The real thing: a runtime whose only worker blocks, as in a deadlock, fires the watchdog
    /// from its own thread; a runtime that merely idles does not.
    #[test]
    fn a_blocked_runtime_fires_the_watchdog() {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let dog = Watchdog::new(Duration::from_millis(400));
        runtime.spawn(dog.clone().heartbeat());
        let (tx, rx) = mpsc::channel();
        dog.watch(move |stuck| tx.send(stuck).unwrap());

        assert!(rx.recv_timeout(Duration::from_millis(1500)).is_err(), "an idle runtime is not stuck");
        runtime.spawn(async { std::thread::sleep(Duration::from_secs(3)) });
        let stuck = rx.recv_timeout(Duration::from_secs(2)).expect("the watchdog fired");
        assert!(stuck.heartbeat_silent > Duration::from_millis(400), "{stuck}");
        runtime.shutdown_background();
    }
}
