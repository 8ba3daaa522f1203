//! Ordered delivery: one worker per destination URL sends that
//! destination's NOTIFYs one after the other, so a watcher sees state
//! changes in the order they happened, over one kept-alive connection when
//! the peer allows it. Each worker's queue is bounded; a full queue fails
//! the job at once instead of growing. Idle workers end after
//! [`WORKER_IDLE`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use tokio::sync::{mpsc, oneshot};

use crate::outbound::{Outbound, OutboundError};

/// How long a destination's worker waits for more work before it ends.
pub(crate) const WORKER_IDLE: Duration = Duration::from_secs(30);

/// One request to send.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) method: Method,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// Told the outcome, if someone waits for it.
    pub(crate) done: Option<oneshot::Sender<Result<StatusCode, String>>>,
}

type Report = Box<dyn Fn(&str, &Result<StatusCode, String>) + Send + Sync>;

/// The per-destination workers.
pub(crate) struct Dispatcher {
    outbound: Outbound,
    queue_len: usize,
    workers: Mutex<HashMap<Arc<str>, mpsc::Sender<Job>>>,
    max_workers: usize,
    report: Report,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("queue_len", &self.queue_len)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// `report` is called after every attempt with the destination and the
    /// outcome (the server counts callback failures with it).
    pub(crate) fn new(
        outbound: Outbound,
        queue_len: usize,
        max_workers: usize,
        report: Report,
    ) -> Arc<Self> {
        Arc::new(Self {
            outbound,
            queue_len: queue_len.max(1),
            workers: Mutex::new(HashMap::new()),
            max_workers: max_workers.max(1),
            report,
        })
    }

    /// Queues `job` for `url`. A full queue, or too many destinations,
    /// fails the job at once (its `done` is told, and the report runs).
    pub(crate) fn submit(self: &Arc<Self>, url: &str, job: Job) {
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        let mut job = job;
        if let Some(tx) = workers.get(url) {
            match tx.try_send(job) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(j)) => {
                    drop(workers);
                    self.fail(url, j, "delivery queue full");
                    return;
                }
                // The worker ended (idle); start a new one below.
                Err(mpsc::error::TrySendError::Closed(j)) => job = j,
            }
        }
        if workers.len() >= self.max_workers {
            workers.retain(|_, tx| !tx.is_closed());
            if workers.len() >= self.max_workers {
                drop(workers);
                self.fail(url, job, "too many delivery destinations");
                return;
            }
        }
        let (tx, rx) = mpsc::channel(self.queue_len);
        let key: Arc<str> = Arc::from(url);
        // A fresh channel has room for one job.
        let _ = tx.try_send(job);
        workers.insert(key.clone(), tx);
        drop(workers);
        let me = Arc::clone(self);
        tokio::spawn(async move { me.work(key, rx).await });
    }

    fn fail(&self, url: &str, job: Job, why: &str) {
        let outcome = Err(why.to_owned());
        (self.report)(url, &outcome);
        if let Some(done) = job.done {
            let _ = done.send(outcome);
        }
    }

    async fn work(self: Arc<Self>, url: Arc<str>, mut rx: mpsc::Receiver<Job>) {
        loop {
            let job = match tokio::time::timeout(WORKER_IDLE, rx.recv()).await {
                Ok(Some(job)) => job,
                Ok(None) => break,
                Err(_) => {
                    // Idle: leave, unless a job slipped in meanwhile.
                    let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
                    match rx.try_recv() {
                        Ok(job) => {
                            drop(workers);
                            self.run(&url, job).await;
                            continue;
                        }
                        Err(_) => {
                            workers.remove(&url);
                            break;
                        }
                    }
                }
            };
            self.run(&url, job).await;
        }
    }

    async fn run(&self, url: &str, job: Job) {
        let Job {
            method,
            headers,
            body,
            done,
        } = job;
        let outcome = match self.outbound.send(method, url, headers, body).await {
            Ok(answer) => Ok(answer.status),
            Err(e) => Err(describe(&e)),
        };
        (self.report)(url, &outcome);
        if let Some(done) = done {
            let _ = done.send(outcome);
        }
    }
}

fn describe(e: &OutboundError) -> String {
    e.to_string()
}
