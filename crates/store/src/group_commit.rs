//! Group commit on SQLite: short write jobs that arrive together share one
//! transaction and one commit.
//!
//! Why: SQLite has one writer, and each statement is a hand-off to its
//! connection's thread. A registration alone spent more of its time in
//! `BEGIN`, `COMMIT` and the commit's `fsync` than in its own statements.
//! Jobs that arrive while a transaction is open run in it, one after the
//! other; the last job in line (or the [`MAX_JOBS`]th, or the first after
//! [`MAX_OPEN`]) commits — or the batch's watchdog, if the callers in line
//! went away — and every job learns its outcome only then: no one is told
//! "done" before the commit is durable.
//!
//! A job answers [`JobResult`]: refused before writing anything (the batch
//! goes on), or failed after writing (the batch is rolled back, and every job
//! in it runs again in a transaction of its own). A job whose caller went
//! away half-way spoils the batch the same way.

use crate::{Result, Store, StoreError, Tx};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, watch};

/// `Ok(Ok(v))`: done. `Ok(Err(e))`: refused, nothing written. `Err(e)`:
/// failed after writing — the transaction must not be committed.
pub(crate) type JobResult<T> = std::result::Result<Result<T>, StoreError>;

/// A write job: run once in a batch, and again alone if the batch is rolled back.
pub(crate) trait Job: Sync {
    type Output: Send;
    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
    ) -> std::pin::Pin<Box<dyn Future<Output = JobResult<Self::Output>> + Send + 'a>>;
}

/// Most jobs in one transaction.
pub const MAX_JOBS: usize = 64;
/// Longest a transaction stays open while jobs keep arriving.
pub const MAX_OPEN: Duration = Duration::from_millis(20);

#[derive(Clone, Default)]
pub(crate) struct GroupCommit(Arc<Inner>);

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupCommit")
    }
}

#[derive(Default)]
struct Inner {
    open: Mutex<Option<Open>>,
    /// Jobs waiting for `open`: while there are any, the batch stays open.
    queued: AtomicUsize,
    batches: AtomicUsize,
}

/// Counts a job in line for the batch until it gets its turn or goes away.
struct InLine<'a>(&'a AtomicUsize);

impl<'a> InLine<'a> {
    fn new(queued: &'a AtomicUsize) -> Self {
        queued.fetch_add(1, Ordering::SeqCst);
        Self(queued)
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Open {
    id: usize,
    tx: Tx,
    jobs: usize,
    started: Instant,
    /// Set while a job runs: still set when the next job comes, its caller
    /// dropped it half-way and the batch may hold half a job.
    in_job: bool,
    /// `Some(true)` once committed, `Some(false)` once rolled back.
    outcome: watch::Sender<Option<bool>>,
}

impl GroupCommit {
    /// Runs `job` in the open batch (or a new one) and answers once that
    /// batch is committed; runs it alone if the batch is rolled back.
    pub(crate) async fn run<J: Job>(&self, store: &Store, job: &J) -> Result<J::Output> {
        match self.in_batch(store, job).await? {
            Some(done) => done,
            None => alone(store, job).await,
        }
    }

    /// Numbers a new batch and sets its watchdog: whatever becomes of its
    /// jobs' callers, the batch ends [`MAX_OPEN`] after it began (once the
    /// job running then is done) — committed, or rolled back if a job was
    /// left half-way — and never keeps the write connection.
    fn watch_new_batch(&self) -> usize {
        let id = self.0.batches.fetch_add(1, Ordering::SeqCst);
        let inner = self.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(MAX_OPEN).await;
            let mut open = inner.open.lock().await;
            if open.as_ref().is_some_and(|b| b.id == id)
                && let Some(b) = open.take()
            {
                let whole = !b.in_job;
                finish(b, whole).await;
            }
        });
        id
    }

    /// `None`: the batch was rolled back, run the job again alone.
    async fn in_batch<J: Job>(&self, store: &Store, job: &J) -> Result<Option<Result<J::Output>>> {
        let inner = &self.0;
        let in_line = InLine::new(&inner.queued);
        let mut open = inner.open.lock().await;
        drop(in_line);
        if open.as_ref().is_some_and(|b| b.in_job) {
            // The job before was dropped half-way.
            if let Some(spoilt) = open.take() {
                finish(spoilt, false).await;
            }
        }
        let batch = match open.as_mut() {
            Some(b) => b,
            None => open.insert(Open {
                id: self.watch_new_batch(),
                tx: store.begin_write().await?,
                jobs: 0,
                started: Instant::now(),
                in_job: false,
                outcome: watch::channel(None).0,
            }),
        };
        batch.jobs += 1;
        batch.in_job = true;
        let out = job.run(&mut batch.tx).await;
        batch.in_job = false;
        let broke = out.is_err();
        let committed = if broke
            || inner.queued.load(Ordering::SeqCst) == 0
            || batch.jobs >= MAX_JOBS
            || batch.started.elapsed() >= MAX_OPEN
        {
            let Some(b) = open.take() else {
                return Ok(None);
            };
            finish(b, !broke).await
        } else {
            let mut outcome = batch.outcome.subscribe();
            drop(open);
            // The batch's watchdog finishes it if those after this job go
            // away; a dropped sender counts as rolled back.
            outcome
                .wait_for(Option::is_some)
                .await
                .map(|o| *o == Some(true))
                .unwrap_or(false)
        };
        Ok(match (out, committed) {
            (Ok(Ok(v)), true) => Some(Ok(v)),
            // Refused: none of it was written, whatever became of the batch.
            (Ok(Err(e)), _) => Some(Err(e)),
            _ => None,
        })
    }
}

/// Runs a job in a transaction of its own (PostgreSQL's way, and a
/// rolled-back batch's second try).
pub(crate) async fn alone<J: Job>(store: &Store, job: &J) -> Result<J::Output> {
    let mut tx = store.begin_write().await?;
    match job.run(&mut tx).await {
        Ok(Ok(v)) => {
            tx.commit().await?;
            Ok(v)
        }
        // Dropping the transaction rolls it back.
        Ok(Err(e)) | Err(e) => Err(e),
    }
}

/// Commits (or rolls back) a batch and tells its jobs. The commit runs in
/// its own task, so a caller that goes away cannot leave the jobs waiting
/// or believing a committed batch was lost.
async fn finish(b: Open, commit: bool) -> bool {
    let Open { tx, outcome, .. } = b;
    let task = tokio::spawn(async move {
        let committed = if commit {
            match tx.commit().await {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, "a batch of writes could not be committed; its jobs run again alone");
                    false
                }
            }
        } else {
            let _ = tx.rollback().await;
            false
        };
        outcome.send_replace(Some(committed));
        committed
    });
    task.await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    /// Writes its number, then does what it is told.
    struct Probe {
        n: i64,
        then: Then,
    }

    enum Then {
        Finish,
        Refuse,
        FailAfterWriting,
        /// Signals that it wrote, then never finishes.
        Hang(std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>),
    }

    impl Job for Probe {
        type Output = i64;
        fn run<'a>(
            &'a self,
            tx: &'a mut Tx,
        ) -> std::pin::Pin<Box<dyn Future<Output = JobResult<i64>> + Send + 'a>> {
            Box::pin(async move {
                if matches!(self.then, Then::Refuse) {
                    return Ok(Err(StoreError::Conflict("refused")));
                }
                sqlx::query("INSERT INTO probe (n) VALUES ($1)")
                    .bind(self.n)
                    .execute(&mut **tx)
                    .await?;
                match &self.then {
                    Then::FailAfterWriting => Err(StoreError::Conflict("broke")),
                    Then::Hang(wrote) => {
                        if let Some(tx) = wrote.lock().unwrap().take() {
                            let _ = tx.send(());
                        }
                        std::future::pending().await
                    }
                    _ => Ok(Ok(self.n)),
                }
            })
        }
    }

    async fn stored(store: &Store) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM probe ORDER BY n")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    async fn probe_store() -> (TestDb, Store) {
        let db = TestDb::sqlite();
        let store = db.open().await;
        sqlx::query("CREATE TABLE probe (n INTEGER NOT NULL)")
            .execute(store.pool())
            .await
            .unwrap();
        (db, store)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_share_commits_and_a_broken_one_spoils_nothing_but_itself() {
        let (_db, store) = probe_store().await;
        let gc = GroupCommit::default();
        let tasks: Vec<_> = (0..40)
            .map(|n| {
                let (gc, store) = (gc.clone(), store.clone());
                tokio::spawn(async move {
                    let then = match n {
                        7 => Then::FailAfterWriting,
                        8 => Then::Refuse,
                        _ => Then::Finish,
                    };
                    gc.run(&store, &Probe { n, then }).await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        for (n, a) in answers.iter().enumerate() {
            match n {
                7 => assert!(matches!(a, Err(StoreError::Conflict("broke")))),
                8 => assert!(matches!(a, Err(StoreError::Conflict("refused")))),
                _ => assert_eq!(a.as_ref().ok(), Some(&(n as i64))),
            }
        }
        let expected: Vec<i64> = (0..40).filter(|n| *n != 7 && *n != 8).collect();
        assert_eq!(
            stored(&store).await,
            expected,
            "every answered job stored once"
        );
        assert!(
            gc.0.batches.load(Ordering::SeqCst) < 40,
            "jobs arriving together shared transactions"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_whose_caller_went_away_half_way_is_never_committed() {
        let (_db, store) = probe_store().await;
        let gc = GroupCommit::default();
        let (wrote, written) = tokio::sync::oneshot::channel();
        let hung = {
            let (gc, store) = (gc.clone(), store.clone());
            tokio::spawn(async move {
                let probe = Probe {
                    n: 1,
                    then: Then::Hang(std::sync::Mutex::new(Some(wrote))),
                };
                gc.run(&store, &probe).await
            })
        };
        written.await.unwrap();
        hung.abort();
        assert!(hung.await.unwrap_err().is_cancelled());
        let next = gc
            .run(
                &store,
                &Probe {
                    n: 2,
                    then: Then::Finish,
                },
            )
            .await
            .unwrap();
        assert_eq!(next, 2);
        assert_eq!(stored(&store).await, vec![2]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_callers_all_went_away_still_ends() {
        let (_db, store) = probe_store().await;
        let gc = GroupCommit::default();
        // What is left when a job finished, saw another in line, and both
        // callers went away before anyone committed.
        {
            let mut open = gc.0.open.lock().await;
            let mut tx = store.begin_write().await.unwrap();
            sqlx::query("INSERT INTO probe (n) VALUES (1)")
                .execute(&mut *tx)
                .await
                .unwrap();
            *open = Some(Open {
                id: gc.watch_new_batch(),
                tx,
                jobs: 1,
                started: Instant::now(),
                in_job: false,
                outcome: watch::channel(None).0,
            });
        }
        // The write connection comes free and the finished job is kept.
        let free = tokio::time::timeout(MAX_OPEN * 50, store.begin_write()).await;
        assert!(free.is_ok(), "the watchdog ended the batch");
        drop(free);
        assert_eq!(stored(&store).await, vec![1]);
    }
}
