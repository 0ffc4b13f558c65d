//! Beside an owned café's actor: answering the other nodes' requests, and keeping the lease.

use super::{Broadcast, Envelope, Owned, RemoteWelcome as WireWelcome, Reply, Request};
use crate::cafe::{CafeHandle, Msg, RemoteWelcome};
use crate::store::Store;
use cafe_shared::{CafeId, Rejection};
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Serves the café's request subject until the actor stops or the lease is lost. Requests
/// reach the actor in the order they arrived (one requester's commands stay in order);
/// each answer is sent once the actor gives it (after its commit).
pub async fn serve(owned: Owned, handle: CafeHandle) {
    let c = owned.cluster.clone();
    let mut sub = match c.nats.subscribe(c.requests(&handle.id)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(cafe = %handle.id, error = %e, "cannot subscribe; stepping down");
            owned.stop.cancel();
            return;
        }
    };
    // Answers go out in the order the requests came (one requester's acks stay in order):
    // one task awaits each answer in turn.
    let (answers, mut queue) = mpsc::unbounded_channel::<BoxFuture<'static, ()>>();
    tokio::spawn(async move {
        while let Some(answer) = queue.recv().await {
            answer.await;
        }
    });
    loop {
        let msg = tokio::select! {
            _ = owned.stop.cancelled() => break,
            m = sub.next() => match m {
                Some(m) => m,
                None => break,
            },
        };
        let Ok(req) = serde_json::from_slice::<Envelope<Request>>(&msg.payload) else {
            tracing::warn!(cafe = %handle.id, "unreadable cluster request");
            continue;
        };
        let n = req.n;
        let (cc, to) = (c.clone(), msg.reply.clone());
        let answer = move |reply: Reply| async move {
            if let Some(to) = to {
                cc.publish(to.to_string(), &Envelope { n, body: reply })
                    .await;
            }
        };
        let token = owned.lease.token;
        let sent = match req.body {
            Request::Attach {
                node,
                conn,
                person,
                grant,
                resume,
            } => {
                let (reply, rx) = oneshot::channel();
                let r = handle
                    .send(Msg::RemoteAttach {
                        node,
                        conn,
                        person,
                        grant,
                        resume,
                        reply,
                    })
                    .await;
                let _ = answers.send(Box::pin(async move {
                    if let Ok(a) = rx.await {
                        answer(welcome(token, a)).await;
                    }
                }));
                r
            }
            Request::Detach { node, conn } => handle.send(Msg::RemoteDetach { node, conn }).await,
            Request::Command {
                person,
                id,
                command,
            } => {
                let (reply, rx) = oneshot::channel();
                let r = handle
                    .send(Msg::RemoteCommand {
                        person,
                        id,
                        command,
                        reply,
                    })
                    .await;
                // No answer when the actor stopped first (it could not store it): the
                // requester asks again, of whoever owns the café then.
                let _ = answers.send(Box::pin(async move {
                    if let Ok(o) = rx.await {
                        answer(Reply::Outcome {
                            frame: o.frame.as_str().to_owned(),
                            seq: o.seq,
                        })
                        .await;
                    }
                }));
                r
            }
            Request::Join {
                name,
                role,
                location,
            } => {
                let (reply, rx) = oneshot::channel();
                let r = handle
                    .send(Msg::Join {
                        name,
                        role,
                        location,
                        reply,
                    })
                    .await;
                let _ = answers.send(Box::pin(async move {
                    if let Ok(j) = rx.await {
                        answer(match j {
                            Ok(p) => Reply::Joined(p),
                            Err(r) => Reply::refused(r),
                        })
                        .await;
                    }
                }));
                r
            }
        };
        if sent.is_err() {
            break;
        }
    }
}

fn welcome(token: u64, a: Result<RemoteWelcome, Rejection>) -> Reply {
    match a {
        Ok(w) => Reply::Welcome(WireWelcome {
            token,
            seq: w.seq,
            audience: w.audience,
            frames: w.frames.iter().map(|f| f.as_str().to_owned()).collect(),
        }),
        Err(r) => Reply::refused(r),
    }
}

/// Renews the lease every third of its duration and tells the other nodes the owner is
/// alive. Steps down (cancels `owned.stop`) as soon as the lease is known lost, or when
/// renewals kept failing until it may have expired: after that another node may own the
/// café, and the fenced writes would fail anyway.
pub async fn keep_lease(owned: Owned, store: Arc<dyn Store>, cafe: CafeId, done: CafeHandle) {
    let c = owned.cluster.clone();
    let token = owned.lease.token;
    // Measured from before the request that took it: never later than the database's view.
    let mut valid_until = Instant::now() + c.lease;
    let mut tick = tokio::time::interval(c.renew_every());
    tick.tick().await;
    loop {
        tokio::select! {
            _ = owned.stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if done.is_closed() {
            return;
        }
        let asked = Instant::now();
        match store.renew_lease(&cafe, &c.node, token, c.lease).await {
            Ok(Some(_)) => {
                valid_until = asked + c.lease;
                let seq = owned.published.load(Ordering::Acquire);
                c.publish(c.out(&cafe), &Broadcast::Alive { token, seq })
                    .await;
            }
            Ok(None) => {
                tracing::warn!(cafe = %cafe, node = %c.node, "lease taken over; stepping down");
                owned.stop.cancel();
                return;
            }
            Err(e) => {
                tracing::warn!(cafe = %cafe, error = %e, "lease renewal failed");
                if Instant::now() >= valid_until {
                    owned.stop.cancel();
                    return;
                }
            }
        }
    }
}

/// After the actor stopped on its own (shutdown, idle): hand the café over at once.
pub async fn let_go(owned: &Owned, store: &Arc<dyn Store>, cafe: &CafeId) {
    let c = &owned.cluster;
    let token = owned.lease.token;
    owned.stop.cancel();
    if let Err(e) = store.release_lease(cafe, &c.node, token).await {
        tracing::warn!(cafe = %cafe, error = %e, "releasing the lease failed");
    }
    c.publish(c.out(cafe), &Broadcast::Leaving { token }).await;
}
